"""/spec with natural phrasing (issue 17): a buyer types specs the way people write them
("316 inside, 201 outside ok, approx 0.38 kg each, ship before 15 jan pls") and gets a
message for 旺旺 that is Chinese through and through, read back correctly in their own
language, with a copy button for every Chinese block, all on one phone screen. What the
glossary cannot translate is named plainly, never slipped into the Chinese unannounced."""

from __future__ import annotations

import re

import pytest

from bot.clock import ShiftedClock
from bot.domain.spec.builder import FIELDS
from bot.sandbox.flood import FloodLimits
from bot.sandbox.state import StoredMessage
from tests.conftest import ChatUser, texts
from tests.one_screen import assert_fits_one_screen

# Latin letters the supplier reads as they are: plastic and bag codes, "logo", Pantone's
# coated "C", the T of T恤. Anything else in Latin letters is English left in the Chinese.
CODES = {"PP", "PE", "ABS", "PVC", "OPP", "PU", "TPU", "logo", "C", "U", "FBA", "UV", "CE", "T"}


@pytest.fixture
def flood_limits() -> FloodLimits:
    # The tests answer at once where a person takes seconds (as in test_small_flows).
    return FloodLimits(private_per_second=20, private_burst=20)


@pytest.fixture
def next_year(clock: ShiftedClock) -> int:
    return clock.now().year + 1


async def spec_reply(user: ChatUser, answers: dict[str, str]) -> list[StoredMessage]:
    """Walk /spec typing the given answers, skipping the rest; the reply to the last step."""
    replies = await user.says("/spec")
    for field in FIELDS:
        replies = await (user.says(answers[field]) if field in answers else user.taps("⏭"))
    return replies


def chinese_blocks(messages: list[StoredMessage]) -> list[str]:
    """The Chinese the buyer copies: every pre block of the reply, in order."""
    blocks = []
    for message in messages:
        units = (message.text or "").encode("utf-16-le")
        for entity in message.entities:
            if entity["type"] == "pre":
                start, length = 2 * int(entity["offset"]), 2 * int(entity["length"])
                blocks.append(units[start : start + length].decode("utf-16-le"))
    return blocks


def copy_texts(messages: list[StoredMessage]) -> list[str]:
    return [
        button["copy_text"]["text"]
        for message in messages
        for button in message.inline_buttons()
        if "copy_text" in button
    ]


def english_left(chinese: str) -> set[str]:
    return set(re.findall(r"[A-Za-zА-Яа-яЁё]+", chinese)) - CODES


def assert_all_chinese_with_a_copy_button_each(reply: list[StoredMessage]) -> str:
    blocks = chinese_blocks(reply)
    assert blocks, texts(reply)
    assert copy_texts(reply) == blocks, "each Chinese block has its own copy button"
    assert all(len(block) <= 256 for block in blocks)
    chinese = "\n".join(blocks)
    assert english_left(chinese) == set(), chinese
    assert chinese.endswith("谢谢！")
    for message in reply:
        assert_fits_one_screen(message)
    return chinese


async def test_a_steel_tumbler_in_plain_english_becomes_all_chinese(
    ann: ChatUser, next_year: int
) -> None:
    reply = await spec_reply(
        ann,
        {
            "product": "vacuum flask, 500ml",
            "material": "316 inside, 201 stainless outside ok, PP lid, silicone seal",
            "weight": "approx 0.38 kg each",
            "dimensions": "7.5 cm x 7.5 cm x 24 cm",
            "colour": "matte black, Pantone 419 C",
            "quantity": "600 pcs total",
            "packaging": "each in opp bag, 24pcs/ctn",
            "labelling": "laser engraved logo on the body",
            "deadline": f"ship before 15 jan {next_year} pls",
        },
    )

    chinese = assert_all_chinese_with_a_copy_button_each(reply)
    for line in (
        "产品：保温杯，500毫升",
        "材质：内胆316不锈钢，外壳201不锈钢也可以，盖子PP，密封圈硅胶",
        "重量：单个重量约380克",
        "尺寸：7.5×7.5×24厘米（长×宽×高）",
        "颜色：哑光黑色，潘通色号 419 C",
        "数量：共600件",
        "包装：每件单独装OPP袋，每箱24件",
        "标签和印刷：镭雕定制logo（位置：主体）",
        f"交期：{next_year}年1月15日前发货",
    ):
        assert line in chinese, line
    said = texts(reply)
    for meaning in (
        "inner liner: 316 stainless steel, outer shell: 201 stainless steel is also acceptable",
        "lid: polypropylene (PP), sealing ring: silicone",
        "about 380 g per piece",
        "7.5 × 7.5 × 24 cm (length × width × height)",
        "matte finish black",
        "in total 600 pieces",
        "each piece packed on its own in OPP bag (clear plastic bag), 24 pieces per carton",
        "laser engraving custom logo (position: main body)",
        f"shipped by {next_year}-01-15",
    ):
        assert meaning in said, meaning
    assert "All in Chinese, no English left." in said
    assert "Every line comes from the glossary" in said


async def test_a_t_shirt_order_with_counts_and_a_month_name_becomes_all_chinese(
    ann: ChatUser, next_year: int
) -> None:
    reply = await spec_reply(
        ann,
        {
            "product": "t-shirt",
            "material": "cotton 95% spandex 5%",
            "weight": "about 180 gsm",
            "colour": "white or navy",
            "quantity": "300 pcs per colour",
            "packaging": "1 pc per polybag, carton of 50",
            "labelling": "2 colour print on the front, woven label, hang tag",
            "deadline": f"by March 1, {next_year}",
        },
    )

    chinese = assert_all_chinese_with_a_copy_button_each(reply)
    for line in (
        "产品：T恤",
        "材质：95%棉 5%氨纶",
        "克重：约180克/平方米",
        "颜色：白色或藏青色",
        "数量：300件（每色）",
        "包装：每袋1件，每箱50件",
        "标签和印刷：双色印刷（位置：正面），织唛，吊牌",
        f"交期：{next_year}年3月1日前发货",
    ):
        assert line in chinese, line
    said = texts(reply)
    for meaning in (
        "about 180 g/m² (GSM)",
        "white or navy blue",
        "300 pieces (for each colour)",
        "1 pieces per bag, 50 pieces per carton",
        "2-colour printing (position: front), woven label, hang tag",
        f"shipped by {next_year}-03-01",
    ):
        assert meaning in said, meaning
    assert "All in Chinese" in said


async def test_a_thermo_mug_typed_in_russian_becomes_all_chinese(
    boris: ChatUser, next_year: int
) -> None:
    reply = await spec_reply(
        boris,
        {
            "product": "термокружка 450 мл",
            "material": "нержавейка 304 внутри, снаружи 201 тоже можно",
            "weight": "примерно 0,3 кг за штуку",
            "colour": "матовый чёрный",
            "packaging": "по 40 шт в коробке",
            "labelling": "лазерная гравировка, логотип на крышке",
            "deadline": f"до 20 января {next_year} пожалуйста",
        },
    )

    chinese = assert_all_chinese_with_a_copy_button_each(reply)
    for line in (
        "产品：保温杯 450毫升",
        "材质：内胆304不锈钢，外壳201不锈钢也可以",
        "重量：单个重量约300克",
        "颜色：哑光黑色",
        "包装：每箱40件",
        "标签和印刷：镭雕，定制logo（位置：盖子）",
        f"交期：{next_year}年1月20日前发货",
    ):
        assert line in chinese, line
    said = texts(reply)
    for meaning in (
        "внутренняя колба — нержавеющая сталь 304",
        "внешний корпус — нержавеющая сталь 201 тоже подходит",
        "около 300 г за штуку",
        "40 шт. в коробке",
        "(место нанесения: крышка)",
        f"отгрузка до {next_year}-01-20",
    ):
        assert meaning in said, meaning
    assert "Всё по-китайски" in said


async def test_words_the_glossary_does_not_know_are_named_plainly(ann: ChatUser) -> None:
    reply = await spec_reply(ann, {"material": "304 inside, bamboo fibre outside"})

    said = texts(reply)
    assert "Stays as you typed it, not in Chinese: “bamboo fibre outside”" in said
    assert "My glossary doesn't know “fibre”" in said, "the word that kept it so is named"
    assert "内胆304不锈钢" in "\n".join(chinese_blocks(reply)), "the rest is still Chinese"
    for message in reply:
        assert_fits_one_screen(message)


async def test_words_left_in_english_are_named_in_russian_too(boris: ChatUser) -> None:
    reply = await spec_reply(boris, {"material": "304 внутри, бамбуковое волокно снаружи"})

    said = texts(reply)
    assert "Осталось как вы написали, не по-китайски: «бамбуковое волокно снаружи»" in said
    assert "В моём глоссарии нет слов «бамбуковое волокно»" in said
    assert "内胆304不锈钢" in "\n".join(chinese_blocks(reply))
    for message in reply:
        assert_fits_one_screen(message)
