"""Counterfeit and IP red flags in listing titles and descriptions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.counterfeits import (
    ADVICE_ORDER,
    BRANDS,
    FLAG_CODES,
    SELLER_REQUESTS_ZH,
    Brand,
    IpRisk,
    check_listing,
)

CATALOGUE = json.loads(
    (Path(__file__).parents[2] / "bot/render/locales/en/suppliers.json").read_text("utf-8")
)

IP_CATALOGUE = json.loads(
    (Path(__file__).parents[2] / "bot/render/locales/en/ip.json").read_text("utf-8")
)

HIGH, MEDIUM, LOW = IpRisk.HIGH, IpRisk.MEDIUM, IpRisk.LOW


@pytest.mark.parametrize(
    ("listing", "risk", "codes"),
    [
        # Outright replica wording.
        ("耐克 AJ1 莆田纯原 真标 代购级 男鞋", HIGH, {"brand_name", "replica_term", "real_logo"}),
        ("高仿女包 精品 批发", HIGH, {"replica_term"}),
        ("Nike Air Max 90 replica 1:1 top batch", HIGH, {"replica_term", "one_to_one"}),
        ("A货 手表 机械表 男士", HIGH, {"replica_term"}),
        ("复刻 经典款 老爹鞋", HIGH, {"replica_term"}),
        ("專櫃品質 對版 女士钱包", HIGH, {"retail_grade"}),  # Traditional characters
        ("图片已打码 实物真标 包装齐全", HIGH, {"real_logo"}),
        ("Genuine leather bag, original logo on request", HIGH, {"real_logo"}),
        ("可过验 扫码可查 运动鞋", HIGH, {"pass_checks"}),
        ("Adidos 运动裤 三条杠", HIGH, {"lookalike_brand"}),
        ("可定制大牌logo 帽子", HIGH, {"real_logo"}),
        # A brand name plus a weaker hint.
        ("LV 老花 女包 原单", HIGH, {"brand_name", "oem_leftover"}),
        ("古驰同款 腰带 男", HIGH, {"brand_name", "brand_style"}),
        ("迪士尼正品 米奇 毛绒玩具", HIGH, {"brand_name", "genuine_claim"}),
        ("香奈儿 外贸尾单 香水", HIGH, {"brand_name", "oem_leftover"}),
        ("三星原装 Galaxy 耳机 海关罚没", HIGH, {"brand_name", "diverted_stock"}),
        # A brand name alone, or a hint alone.
        ("迪士尼 米奇 卡通书包", MEDIUM, {"brand_name"}),
        ("Stanley cup 40oz tumbler", MEDIUM, {"brand_name"}),
        ("大牌同款 女包 2024新款", MEDIUM, {"brand_style"}),
        ("外贸尾单 纯棉T恤", MEDIUM, {"oem_leftover"}),
        ("网红爆款 专利款 收纳盒", MEDIUM, {"patent_design"}),
        ("莆田 运动鞋 现货", MEDIUM, {"putian"}),
        # The seller's own patent is something to verify, not a copy.
        ("外观专利 专利号ZL202330123456.7 侵权必究", LOW, {"own_patent"}),
        # Brands named only as what the product fits.
        ("适用于苹果15手机壳 透明 防摔", LOW, {"brand_compatibility"}),
        ("iPhone 15 Pro Max case shockproof", LOW, {"brand_compatibility"}),
        ("兼容乐高 积木 拼装玩具", LOW, {"brand_compatibility"}),
        # Denials.
        ("不做大牌，只做原创设计", LOW, set()),
        ("拒绝高仿 工厂原创 保证品质", LOW, set()),
        ("No brand logos, plain white T-shirts", LOW, set()),
        ("We do not sell replicas or fakes", LOW, set()),
        ("非高仿 自有品牌 收纳箱", LOW, set()),
        # Ordinary goods whose words look like slang.
        ("高仿真花 仿真绿植 婚庆装饰", LOW, set()),
        ("A货架 超市货架 仓储", LOW, set()),
        ("打码机 日期喷码机", LOW, set()),
        ("1:1 仿真 汽车模型", LOW, set()),
        ("Omega-3 fish oil capsules", LOW, set()),
        ("新鲜苹果 红富士 5斤装", LOW, set()),
        ("三星级酒店 毛巾 纯棉", LOW, set()),
        ("纯棉T恤 现货批发 可定制logo", LOW, set()),
        ("假一赔十 厂家直销 不锈钢保温杯", LOW, set()),
        ("AAA电池 5号 碱性", LOW, set()),
        ("原标价199 现价99 保温杯", LOW, set()),
        ("纯原木家具 实木餐桌", LOW, set()),
        ("鞋柜货架 落地", LOW, set()),
        ("经过验厂认证 质量通过验收", LOW, set()),
        ("anti-counterfeit label sticker", LOW, set()),
        ("Inspired by nature, wooden toys", LOW, set()),
        ("OEM ODM 代工 接受定制", LOW, set()),
        ("网红同款 抖音爆款 收纳盒", LOW, set()),
    ],
)
def test_listings_are_rated(listing: str, risk: IpRisk, codes: set[str]) -> None:
    check = check_listing(listing)

    assert check.risk is risk
    assert {flag.code for flag in check.flags} >= codes
    if not codes:
        assert check.flags == ()


def test_flags_quote_the_words_that_matched() -> None:
    check = check_listing("耐克 AJ1 莆田纯原 真标 代购级 男鞋")

    evidence = {flag.code: flag.evidence for flag in check.flags}
    assert evidence["real_logo"] == "真标"
    assert evidence["retail_grade"] == "代购级"
    assert check.brands == ("Nike",)


def test_several_brands_are_all_named() -> None:
    check = check_listing("Nike Adidas Puma 运动袜 混批")

    assert set(check.brands) == {"Nike", "Adidas", "Puma"}
    assert check.risk is MEDIUM


def test_a_compatible_brand_is_not_counted_as_a_brand() -> None:
    check = check_listing("适用于苹果15手机壳")

    assert check.brands == ()
    assert "compatibility_wording" in check.advice


def test_high_risk_advice_starts_with_not_buying() -> None:
    check = check_listing("LV 原单 女包")

    assert check.advice[0] == "do_not_buy"
    assert "licence_letter" in check.advice
    assert check.advice[-1] == "reverse_image_search"


def test_a_clean_listing_still_gets_the_image_search_advice() -> None:
    check = check_listing("不锈钢保温杯 500ml 厂家直销")

    assert check.risk is LOW
    assert check.advice == ("reverse_image_search",)


def test_patents_lead_to_a_patent_search_or_a_certificate() -> None:
    assert "patent_search" in check_listing("外观专利 网红收纳盒").advice
    assert "patent_certificate" in check_listing("本厂专利 专利证书齐全").advice


@pytest.mark.parametrize("brand", BRANDS, ids=lambda brand: brand.name)
def test_every_brand_in_the_table_is_recognised(brand: Brand) -> None:
    latin = brand.name.split(" / ")[0]
    # Names that are also ordinary words (Stanley, Off-White, 苹果) count only before a
    # product word; one of these follows each name.
    in_latin = [check_listing(f"{latin} {word}").brands for word in ("logo", "tumbler")]

    assert any(brand.name in brands for brands in in_latin)
    if brand.chinese:
        chinese = brand.chinese.split("|")[0].split("(")[0]
        assert brand.name in check_listing(f"{chinese}手机").brands


def test_every_code_has_a_text() -> None:
    for code in FLAG_CODES:
        assert f"ip_flag_{code}" in CATALOGUE
    for code in ADVICE_ORDER:
        assert f"ip_advice_{code}" in CATALOGUE
    for risk in IpRisk:
        assert f"ip_risk_{risk}" in CATALOGUE
    for code in FLAG_CODES:
        assert f"ipchk_name_{code}" in IP_CATALOGUE, "the short name on the first screen"
    for code in SELLER_REQUESTS_ZH:
        assert f"ipchk_request_{code}" in IP_CATALOGUE, "what the Chinese to copy says"


def test_outright_replica_wording_is_read_before_the_brand_and_the_hints() -> None:
    check = check_listing("耐克 AJ1 莆田纯原 真标 男鞋")

    codes = [flag.code for flag in check.key_flags]
    assert codes[0] in {"replica_term", "real_logo"}
    assert codes.index("brand_name") < codes.index("putian")
    assert sorted(codes) == sorted(flag.code for flag in check.flags), "nothing dropped"


def test_the_seller_is_asked_for_the_licence_when_a_brand_is_named() -> None:
    assert check_listing("LV 原单 女包").request == "licence_letter"
    assert check_listing("适用于苹果 手机壳 专利号ZL2019").request == "patent_certificate"
    assert check_listing("不锈钢保温杯 500ml 厂家直销").request is None


def test_every_request_advice_is_advice() -> None:
    assert set(SELLER_REQUESTS_ZH) <= set(ADVICE_ORDER)


@given(st.text(max_size=400))
def test_any_text_is_checked_without_error(text: str) -> None:
    check = check_listing(text)

    assert {flag.code for flag in check.flags} <= set(FLAG_CODES)
    assert set(check.advice) <= set(ADVICE_ORDER)
