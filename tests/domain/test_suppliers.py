"""Supplier due diligence: scope, names, repeat rate, pasted profiles and the scorecard."""

from __future__ import annotations

import html
import json
import re
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.suppliers.registry import ENTITY_TYPES, PROBLEMS, REGISTRATION_AUTHORITIES
from bot.domain.suppliers.scorecard import (
    BADGES,
    DETAIL_CODES,
    FACTOR_CODES,
    NAME_ROLES,
    SCOPE_KINDS,
    STEP_CODES,
    Category,
    Rating,
    SupplierFacts,
    classify_scope,
    live_test_request_zh,
    looks_like_person_name,
    match_names,
    parse_profile,
    rate_repeat_rate,
    score_supplier,
)
from bot.domain.suppliers.summary import SUPPLIER_KINDS, key_findings, still_open, supplier_kind
from bot.render.i18n import keys as catalogue_keys
from bot.render.phone_screen import ONE_SCREEN, message_lines
from bot.render.suppliers import render_scorecard_short

CATALOGUE = json.loads(
    (Path(__file__).parents[2] / "bot/render/locales/en/suppliers.json").read_text("utf-8")
)
GREEN, AMBER, RED, UNKNOWN = Rating.GREEN, Rating.AMBER, Rating.RED, Rating.UNKNOWN
COMPANY = "义乌市好运日用品有限公司"
VALID_USCC = "91330782MA2EC6R8XW"


# --- Business scope -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "kind"),
    [
        ("一般项目：塑料制品制造；塑料制品销售；货物进出口", "manufacturer"),
        ("生产、加工：箱包、皮具", "manufacturer"),
        ("服装加工；服装销售", "manufacturer"),
        ("五金制品的研发、生产和销售", "manufacturer"),
        ("电子产品组装；电子元器件销售", "manufacturer"),
        ("包装装潢印刷品印刷", "manufacturer"),
        ("除尘设备制造", "manufacturer"),
        ("製造、銷售：玩具", "manufacturer"),  # Traditional
        ("組裝電子產品；進出口業務", "manufacturer"),  # Traditional
        (
            "Manufacturing and sales of plastic products; import and export of goods",
            "manufacturer",
        ),
        ("Production and processing of garments", "manufacturer"),
        ("日用百货销售；五金产品批发；五金产品零售", "trader"),
        ("服装服饰批发；鞋帽零售；互联网销售", "trader"),
        ("国内贸易代理；货物进出口", "trader"),
        ("貿易代理；批發", "trader"),  # Traditional
        ("委托加工服装；服装销售", "trader"),  # others do the processing
        ("生产资料销售", "trader"),  # a category of goods, not production
        ("化工产品销售（不含危险化学品生产、加工）", "trader"),
        ("（不含危险化学品生产）化工产品销售", "trader"),
        ("Wholesale and retail of daily necessities", "trader"),
        ("服装制造；服装批发", "mixed"),
        ("塑料制品制造（不含医用）；塑料制品批发", "mixed"),
        ("灯具生产；灯具零售；委托加工", "mixed"),
        ("Manufacturing of toys; wholesale of stationery", "mixed"),
        ("技术开发、技术咨询、技术服务", "unknown"),
        ("", "unknown"),
    ],
)
def test_scope_tells_a_factory_from_a_trader(scope: str, kind: str) -> None:
    assert classify_scope(scope).kind == kind


def test_scope_evidence_lists_the_words_found_making_first() -> None:
    result = classify_scope("服装批发；服装制造；服装销售")

    assert result.evidence == ("制造", "批发", "销售")


def test_scope_evidence_is_simplified() -> None:
    assert classify_scope("製造、銷售").evidence == ("制造", "销售")


# --- Names ----------------------------------------------------------------------------------


def test_identical_names_are_green() -> None:
    match = match_names(COMPANY, COMPANY, COMPANY)

    assert match.rating is GREEN
    assert len(match.pairs) == 2
    assert all(pair.same and pair.difference is None for pair in match.pairs)
    assert match.personal_name is None


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("义乌市好运贸易（深圳）有限公司", "义乌市好运贸易(深圳)有限公司"),
        ("义乌市好运贸易【深圳】有限公司", "义乌市好运贸易深圳有限公司"),
        ("义乌市 好运 贸易有限公司", "义乌市好运贸易有限公司"),
        ("Yiwu Haoyun Trading Co., Ltd.", "YIWU HAOYUN TRADING CO LTD"),
        ("Ｙｉｗｕ Ｈａｏｙｕｎ Ｔｒａｄｉｎｇ Ｃｏ．，Ｌｔｄ．", "Yiwu Haoyun Trading Co., Ltd."),
        ("義烏市好運貿易有限公司", "义乌市好运贸易有限公司"),  # Traditional
    ],
)
def test_names_differing_only_in_writing_are_the_same(left: str, right: str) -> None:
    match = match_names(left, right, None)

    assert match.pairs[0].same
    assert match.rating is GREEN


def test_limited_company_forms_are_shown_as_a_difference() -> None:
    match = match_names("义乌市好运贸易有限公司", "义乌市好运贸易有限责任公司", None)

    pair = match.pairs[0]
    assert not pair.same
    assert pair.kind == "legal_form"
    assert pair.difference == "…有限公司 ≠ …有限责任公司"
    assert match.rating is AMBER


def test_a_one_character_lookalike_is_red_and_pointed_at() -> None:
    match = match_names("义乌市好运贸易有限公司", "义乌市好韵贸易有限公司", None)

    assert match.rating is RED
    assert match.pairs[0].kind == "different"
    assert match.pairs[0].difference == "…市好运贸易… ≠ …市好韵贸易…"


def test_a_different_company_as_beneficiary_is_red() -> None:
    match = match_names(COMPANY, COMPANY, "金华市顺达物流有限公司")

    assert match.rating is RED
    assert match.detail == "names_differ"
    assert match.pairs[1].left_role == "licence"
    assert match.pairs[1].right_role == "beneficiary"


@pytest.mark.parametrize("person", ["张伟", "欧阳娜娜", "Li Na", "ZHANG WEI", "王芳（财务）"])
def test_a_personal_beneficiary_is_red(person: str) -> None:
    match = match_names(COMPANY, COMPANY, person)

    assert match.rating is RED
    assert match.detail == "names_personal_beneficiary"
    assert match.personal_name is not None
    assert match.personal_name.startswith(person[:2])


def test_a_personal_beneficiary_is_red_even_alone() -> None:
    match = match_names(None, None, "李娜")

    assert match.rating is RED
    assert match.pairs == ()
    assert match.personal_name == "李娜"


def test_a_person_as_the_licence_name_needs_checking() -> None:
    match = match_names("张伟", "张伟", None)

    assert match.rating is AMBER
    assert match.detail == "names_personal_company"


def test_missing_names_leave_only_the_pairs_that_can_be_compared() -> None:
    only_shop_and_beneficiary = match_names(COMPANY, None, COMPANY)
    only_licence = match_names(None, COMPANY, None)
    nothing = match_names(None, None, None)

    assert [(p.left_role, p.right_role) for p in only_shop_and_beneficiary.pairs] == [
        ("shop", "beneficiary")
    ]
    assert only_shop_and_beneficiary.rating is AMBER  # nothing from the licence to anchor to
    assert only_licence.pairs == ()
    assert only_licence.rating is UNKNOWN
    assert nothing.rating is UNKNOWN


def test_blank_names_count_as_missing() -> None:
    match = match_names(COMPANY, "  ", "")

    assert match.pairs == ()
    assert match.rating is UNKNOWN


def test_a_chinese_and_an_english_name_cannot_be_compared() -> None:
    match = match_names(COMPANY, COMPANY, "YIWU HAOYUN DAILY PRODUCTS CO., LTD.")

    assert match.pairs[1].kind == "script"
    assert match.rating is AMBER


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("张伟", True),
        ("欧阳娜娜", True),
        ("阿依古丽·买买提", True),
        ("Li Na", True),
        ("Wang Xiaoming", True),
        (COMPANY, False),
        ("义乌市张伟日用品商行", False),
        ("深圳市华强北电子厂", False),
        ("Yiwu Haoyun Trading Co., Ltd.", False),
        ("Shenzhen Bright Star", False),
        ("HONG KONG HAOYUN LIMITED", False),
        ("待定", False),
        ("", False),
    ],
)
def test_person_names_are_told_from_company_names(name: str, person: bool) -> None:
    assert looks_like_person_name(name) is person


# --- Repeat rate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "category", "rating"),
    [
        (45.0, Category.FAST_MOVING, GREEN),  # above the 20–40 % band
        (32.5, Category.FAST_MOVING, GREEN),
        (20.0, Category.FAST_MOVING, GREEN),
        (15.0, Category.FAST_MOVING, AMBER),
        (10.0, Category.FAST_MOVING, AMBER),
        (9.9, Category.FAST_MOVING, RED),
        (12.0, Category.MACHINERY_CUSTOM, GREEN),  # above the 5–10 % band
        (5.0, Category.MACHINERY_CUSTOM, GREEN),
        (3.0, Category.MACHINERY_CUSTOM, AMBER),
        (1.0, Category.MACHINERY_CUSTOM, RED),
        (15.0, Category.GENERAL, GREEN),
        (4.0, Category.GENERAL, AMBER),
        (0.0, Category.GENERAL, AMBER),  # no published norm: never red
        (0.0, None, AMBER),
        (None, Category.FAST_MOVING, UNKNOWN),
        (150.0, Category.FAST_MOVING, UNKNOWN),
        (-3.0, None, UNKNOWN),
        (float("nan"), None, UNKNOWN),
    ],
)
def test_repeat_rate_bands(rate: float | None, category: Category | None, rating: Rating) -> None:
    factor = rate_repeat_rate(rate, category)

    assert factor.code == "repeat_rate"
    assert factor.rating is rating


def test_repeat_rate_evidence_shows_the_rate_and_the_band() -> None:
    factor = rate_repeat_rate(32.5, Category.FAST_MOVING)

    assert factor.evidence == ("32.5%", "20–40%")
    assert factor.detail == "repeat_in_norm"


# --- Pasted profiles ------------------------------------------------------------------------

REGISTRY_ZH = """工商信息
企业名称：义乌市好运日用品有限公司
统一社会信用代码：91330782MA2EC6R8XW
法定代表人：张伟
成立日期：2016-05-12
注册资本：100万人民币
登记状态：存续
经营范围：一般项目：日用百货销售；塑料制品制造；塑料制品销售；
货物进出口（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。
"""

SHOP_HEADER_ZH = """深圳市华星电子科技有限公司
诚信通 第8年
实力商家  超级工厂
回头率 45%
深度验厂 | VR看厂
主营产品：蓝牙耳机、充电宝、数据线
"""

PROFILE_EN = """Company name: Ningbo Bright Star Household Products Co., Ltd.
Unified Social Credit Code: 9133 0782 MA2E C6R8 XW
Legal representative: Chen Jing
Registered capital: 500,000 CNY
Business scope: Manufacturing and sales of plastic products; import and export of goods.
Repeat rate: 32.5%
TrustPass 6 years
Factory video available
"""

FLAT_ZH = (
    "公司名称：广州市白云区美佳服饰商行 统一社会信用代码：92440111MA59ABCD1X "
    "法定代表人：陈静 经营范围：服装批发；服装零售；鞋帽批发 复购率：18.5%"
)

TRADITIONAL_ZH = """公司檔案
企業名稱：東莞市興達五金製品有限公司
經營範圍：五金製品製造、加工；五金產品批發
誠信通第3年
暫無工廠視頻
"""


def test_a_registry_extract_fills_the_licence_fields() -> None:
    facts = parse_profile(REGISTRY_ZH)

    assert facts.licence_name == COMPANY
    assert facts.shop_company is None
    assert facts.uscc == VALID_USCC
    assert facts.licence_scope is not None
    assert facts.licence_scope.startswith("一般项目")
    assert "货物进出口" in facts.licence_scope  # the wrapped line is kept
    assert classify_scope(facts.licence_scope).kind == "manufacturer"
    assert facts.beneficiary is None  # 法定代表人 is not the company or a beneficiary


def test_a_shop_header_fills_badges_and_metrics() -> None:
    facts = parse_profile(SHOP_HEADER_ZH)

    assert facts.shop_company == "深圳市华星电子科技有限公司"
    assert facts.licence_name is None
    assert facts.chengxintong_years == 8
    assert facts.repeat_rate == 45.0
    assert facts.badges == frozenset(
        {"chengxintong", "strength_merchant", "super_factory", "factory_audit"}
    )
    assert facts.has_factory_video is True
    assert facts.listing_text == "蓝牙耳机、充电宝、数据线"


def test_an_english_profile_is_read() -> None:
    facts = parse_profile(PROFILE_EN)

    assert facts.licence_name == "Ningbo Bright Star Household Products Co., Ltd."
    assert facts.uscc == VALID_USCC
    assert facts.licence_scope is not None
    assert classify_scope(facts.licence_scope).kind == "manufacturer"
    assert facts.repeat_rate == 32.5
    assert facts.chengxintong_years == 6
    assert facts.has_factory_video is True


def test_a_profile_pasted_as_one_line_is_split_at_its_labels() -> None:
    facts = parse_profile(FLAT_ZH)

    assert facts.licence_name == "广州市白云区美佳服饰商行"
    assert facts.licence_scope == "服装批发;服装零售;鞋帽批发"
    assert facts.repeat_rate == 18.5
    assert facts.uscc == "92440111MA59ABCD1X"  # labelled, so found even though it fails
    assert facts.uscc is not None


def test_a_traditional_profile_is_read_and_a_missing_video_is_a_no() -> None:
    facts = parse_profile(TRADITIONAL_ZH)

    assert facts.licence_name == "东莞市兴达五金制品有限公司"
    assert facts.licence_scope is not None
    assert classify_scope(facts.licence_scope).kind == "mixed"
    assert facts.chengxintong_years == 3
    assert facts.has_factory_video is False


def test_a_label_alone_on_its_line_takes_the_next_line() -> None:
    facts = parse_profile("企业名称\n义乌市好运日用品有限公司\n法定代表人\n张伟")

    assert facts.licence_name == COMPANY
    assert facts.shop_company is None  # the value line is not also read as the shop's name


def test_a_registry_block_headed_by_the_name_fills_only_the_licence() -> None:
    facts = parse_profile(f"{COMPANY}\n统一社会信用代码：{VALID_USCC}\n登记状态：存续")

    assert facts.licence_name == COMPANY
    assert facts.shop_company is None


def test_a_profile_says_nothing_about_what_it_does_not_show() -> None:
    facts = parse_profile("产品名称：蓝牙耳机\n收货地址：广州市白云区")

    assert facts == SupplierFacts()


def test_bank_details_fill_the_beneficiary() -> None:
    facts = parse_profile("收款户名：王芳\n开户行：中国银行义乌分行\n账号：6217000000000000")

    assert facts.beneficiary == "王芳"


# --- Scorecard ------------------------------------------------------------------------------

GOOD = SupplierFacts(
    shop_company=COMPANY,
    licence_name=COMPANY,
    licence_scope="塑料制品制造；塑料制品销售",
    uscc=VALID_USCC,
    live_test_passed=True,
)


def test_everything_skipped_is_unknown_with_next_steps() -> None:
    card = score_supplier(SupplierFacts())

    assert [factor.code for factor in card.factors] == list(FACTOR_CODES)
    assert all(factor.rating is UNKNOWN for factor in card.factors)
    assert card.overall is UNKNOWN
    assert card.next_steps[0] == "get_licence"
    assert {"check_gsxt", "ask_live_test", "compare_names"} <= set(card.next_steps)
    assert card.next_steps[-1] == "pay_in_checkout"


def test_green_needs_names_scope_and_proof_of_goods() -> None:
    card = score_supplier(GOOD)

    assert card.overall is GREEN
    assert "check_gsxt" in card.next_steps  # nothing here proves the company exists


@pytest.mark.parametrize(
    "missing",
    [
        {"live_test_passed": None},  # no proof that the goods exist
        {"licence_name": None},  # nothing to compare the shop with
        {"licence_scope": None, "uscc": None},
    ],
)
def test_without_a_key_factor_it_is_not_green(missing: dict[str, object]) -> None:
    facts = SupplierFacts(**{**GOOD.__dict__, **missing})

    assert score_supplier(facts).overall is AMBER


def test_the_factory_video_can_stand_in_for_the_live_test() -> None:
    facts = SupplierFacts(**{**GOOD.__dict__, "live_test_passed": None, "has_factory_video": True})

    assert score_supplier(facts).overall is GREEN


def test_one_amber_factor_makes_the_whole_amber() -> None:
    facts = GOOD.merged(SupplierFacts(repeat_rate=12, category=Category.FAST_MOVING))

    card = score_supplier(facts)

    assert card.overall is AMBER
    assert "order_sample" in card.next_steps


@pytest.mark.parametrize(
    ("extra", "first_step"),
    [
        (SupplierFacts(beneficiary="张伟"), "stop_personal_account"),
        (SupplierFacts(beneficiary="金华市顺达物流有限公司"), "resolve_name_mismatch"),
        (SupplierFacts(uscc="91330782MA2EC6R8XE"), "recheck_uscc"),
        (SupplierFacts(live_test_passed=False), "live_test_failed"),
        (SupplierFacts(listing_text="耐克 莆田纯原 真标"), "avoid_ip_risk"),
    ],
)
def test_any_red_factor_makes_the_whole_red(extra: SupplierFacts, first_step: str) -> None:
    # `extra` first: its facts replace the good ones.
    card = score_supplier(extra.merged(GOOD))

    assert card.overall is RED
    assert card.next_steps[0] == first_step


def test_a_factory_label_on_a_trading_licence_is_red() -> None:
    facts = SupplierFacts(
        licence_scope="日用百货批发；日用百货零售", badges=frozenset({"source_factory"})
    )

    card = score_supplier(facts)

    scope = next(factor for factor in card.factors if factor.code == "scope")
    assert scope.rating is RED
    assert card.next_steps[0] == "question_factory_claim"


def test_badges_alone_never_make_a_supplier_green() -> None:
    facts = SupplierFacts(
        badges=frozenset(BADGES),
        chengxintong_years=12,
        repeat_rate=50,
        category=Category.FAST_MOVING,
        has_factory_video=True,
    )

    assert score_supplier(facts).overall is AMBER


def test_merged_fills_only_what_is_unknown() -> None:
    first = SupplierFacts(shop_company="A", repeat_rate=None, badges=frozenset())
    second = SupplierFacts(shop_company="B", repeat_rate=30.0, badges=frozenset({"chengxintong"}))

    merged = first.merged(second)

    assert merged.shop_company == "A"
    assert merged.repeat_rate == 30.0
    assert merged.badges == frozenset()  # "none" is known, not missing


# --- The live test --------------------------------------------------------------------------


def test_the_live_test_request_names_the_company_and_the_date() -> None:
    request = live_test_request_zh("Acme Trading GmbH", date(2025, 3, 7))

    assert "「Acme Trading GmbH」" in request
    assert "2025年3月7日" in request
    assert "照片" in request


def test_the_live_test_request_without_a_company_asks_for_theirs() -> None:
    request = live_test_request_zh(None, date(2024, 12, 25))

    assert "贵公司" in request
    assert "2024年12月25日" in request


def test_the_live_test_request_keeps_a_hostile_name_on_one_line() -> None:
    request = live_test_request_zh("」忽略以上\n内容「" + "x" * 200, date(2025, 1, 2))

    assert "\n" not in request
    assert request.count("「") == 1


# --- Texts ----------------------------------------------------------------------------------


def test_every_code_has_a_text() -> None:
    expected = (
        [f"sup_factor_{code}" for code in FACTOR_CODES]
        + [f"sup_rating_{rating}" for rating in Rating]
        + [f"sup_badge_{badge}" for badge in BADGES]
        + [f"sup_scope_{kind}" for kind in SCOPE_KINDS]
        + [f"sup_step_{step}" for step in STEP_CODES]
        + [f"sup_detail_{detail}" for detail in DETAIL_CODES]
        + [f"sup_uscc_problem_{problem}" for problem in PROBLEMS]
        + [f"sup_uscc_authority_{code}" for code in REGISTRATION_AUTHORITIES.values()]
        + [f"sup_uscc_entity_{code}" for code in ENTITY_TYPES.values()]
        + [f"sup_name_role_{role}" for role in NAME_ROLES]
        + [f"sup_category_{category}" for category in Category]
    )

    assert [key for key in expected if key not in CATALOGUE] == []


def test_every_code_has_a_short_form_text_in_both_languages() -> None:
    expected = (
        [f"sup_short_{detail}" for detail in DETAIL_CODES]
        + [f"sup_next_{step}" for step in STEP_CODES]
        + [f"sup_badge_name_{badge}" for badge in BADGES]
        + [f"sup_kind_{kind}" for kind in SUPPLIER_KINDS]
    )

    for language in ("en", "ru"):
        assert [key for key in expected if key not in catalogue_keys(language)] == []


# --- The short card -------------------------------------------------------------------------

FACTORY_WITH_A_PERSONAL_ACCOUNT = SupplierFacts(
    shop_company=COMPANY,
    licence_name=COMPANY,
    beneficiary="张伟",
    licence_scope="生产、加工：塑料制品；销售：日用百货",
    uscc=VALID_USCC,
    badges=frozenset({"super_factory"}),
    category=Category.FAST_MOVING,
    repeat_rate=35,
    has_factory_video=True,
    live_test_passed=False,
)


@pytest.mark.parametrize(
    ("scope", "badges", "kind"),
    [
        ("塑料制品制造、加工", None, "factory"),
        ("日用百货批发、零售", None, "trader"),
        ("日用百货批发、零售", frozenset({"source_factory"}), "trader"),
        ("塑料制品制造；日用百货批发", None, "mixed"),
        (None, frozenset({"super_factory"}), "unclear"),
    ],
)
def test_what_the_supplier_is_comes_from_the_licence_scope_not_the_badges(
    scope: str | None, badges: frozenset[str] | None, kind: str
) -> None:
    card = score_supplier(SupplierFacts(licence_scope=scope, badges=badges))

    assert supplier_kind(card) == kind


def test_the_first_screen_shows_the_worst_three_findings_first() -> None:
    card = score_supplier(FACTORY_WITH_A_PERSONAL_ACCOUNT)

    findings = key_findings(card)

    assert [(f.code, f.rating) for f in findings] == [
        ("names", RED),
        ("live_test", RED),
        ("uscc", GREEN),
    ]


def test_unanswered_questions_are_still_open_and_never_findings() -> None:
    card = score_supplier(SupplierFacts(licence_scope="日用百货批发"))

    assert [f.code for f in key_findings(card)] == ["scope"]
    assert "scope" not in still_open(card)
    assert set(still_open(card)) == set(FACTOR_CODES) - {"scope"}


# --- Never raising --------------------------------------------------------------------------

maybe_text = st.none() | st.text(max_size=120)
facts_strategy = st.builds(
    SupplierFacts,
    shop_company=maybe_text,
    licence_name=maybe_text,
    beneficiary=st.none() | st.sampled_from(["张伟", "Li Na", COMPANY, "金华市顺达物流有限公司"]),
    licence_scope=maybe_text,
    uscc=st.none()
    | st.sampled_from([VALID_USCC, "91330782MA2EC6R8XE", "123", "92440101MA9Y3K5P2J"]),
    badges=st.none() | st.frozensets(st.sampled_from(BADGES)),
    chengxintong_years=st.none() | st.integers(-5, 50),
    repeat_rate=st.none() | st.floats(allow_nan=True),
    category=st.none() | st.sampled_from(Category),
    has_factory_video=st.none() | st.booleans(),
    live_test_passed=st.none() | st.booleans(),
    listing_text=maybe_text,
)


@given(facts_strategy)
def test_any_facts_give_a_scorecard_made_of_known_codes(facts: SupplierFacts) -> None:
    card = score_supplier(facts)

    assert [factor.code for factor in card.factors] == list(FACTOR_CODES)
    for factor in card.factors:
        assert factor.detail is None or factor.detail in DETAIL_CODES
    assert set(card.next_steps) <= set(STEP_CODES)
    assert card.overall is not RED or any(f.rating is RED for f in card.factors)


CARD_BUTTON_ROWS = 2  # Details; my checks and the menu


LONG_NAME = "义乌市" * 40
EVERYTHING_WRONG = SupplierFacts(
    shop_company=LONG_NAME,
    licence_name=LONG_NAME + "贸易",
    beneficiary="张伟",
    licence_scope="生产 加工 制造 销售 批发 零售 " * 5,
    uscc="91330782MA2EC6R8XE",
    badges=frozenset(BADGES),
    listing_text="高仿 复刻 真标 原单 莆田 " * 5,
    live_test_passed=False,
)


@given(facts_strategy, st.text(max_size=200), st.sampled_from(["en", "ru"]))
@example(EVERYTHING_WRONG, LONG_NAME, "en")
@example(EVERYTHING_WRONG, LONG_NAME, "ru")
def test_any_short_card_fits_one_phone_screen(
    facts: SupplierFacts, label: str, language: str
) -> None:
    card = score_supplier(facts)
    shown = html.unescape(re.sub(r"<[^>]+>", "", render_scorecard_short(card, label, language)))

    assert len(key_findings(card)) <= 3
    assert supplier_kind(card) in SUPPLIER_KINDS
    assert message_lines(shown, CARD_BUTTON_ROWS) <= ONE_SCREEN, shown


@given(st.text(max_size=400))
def test_text_functions_never_raise(text: str) -> None:
    assert classify_scope(text).kind in SCOPE_KINDS
    looks_like_person_name(text)
    match_names(text, text[::-1], text[:5])
    facts = parse_profile(text)
    assert {field.name for field in fields(facts)} == {field.name for field in fields(GOOD)}
    live_test_request_zh(text, date(2025, 1, 1))
