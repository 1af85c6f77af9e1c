"""The offline spec translator: glossary terms, numbers with units, Pantone codes, sizes and
dates become Chinese; anything else is kept as typed and marked for checking."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.spec.builder import (
    AMBIGUOUS_DATE,
    FIELDS,
    MAX_ANSWER,
    MAX_ITEMS,
    MAX_PIECES,
    NO_GRADE,
    NO_UNIT,
    PAST_DATE,
    UNKNOWN,
    VAGUE,
    ZH_INTRO,
    ZH_OUTRO,
    Ref,
    build_spec,
    catalogue_keys,
    read_field,
)
from bot.render.i18n import keys, translate

TODAY = date(2026, 1, 10)


def zh(field: str, text: str) -> str:
    line = read_field(field, text, today=TODAY)
    assert line is not None
    return line.zh


def warnings(field: str, text: str) -> list[str | None]:
    line = read_field(field, text, today=TODAY)
    assert line is not None
    return [piece.warning for piece in line.warnings]


@pytest.mark.parametrize(
    ("field", "typed", "chinese"),
    [
        ("product", "304 stainless steel vacuum flask", "产品：304不锈钢保温杯"),
        ("product", "кружка с крышкой", "产品：马克杯带盖子"),
        ("product", "T-shirt, 500 ml", "产品：T恤，500毫升"),
        ("material", "SS304", "材质：304不锈钢"),
        ("material", "AISI 316L", "材质：316L不锈钢"),
        ("material", "нержавейка 304", "材质：304不锈钢"),
        ("material", "food grade silicone, BPA free", "材质：食品级硅胶，不含双酚A"),
        ("material", "100% cotton", "材质：100%棉"),
        ("material", "cotton 95% spandex 5%", "材质：95%棉 5%氨纶"),
        ("material", "kraft paper", "材质：牛皮纸"),
        ("material", "PU leather", "材质：PU皮"),
        ("weight", "280 GSM", "克重：280克/平方米"),
        ("weight", "GSM 280", "克重：280克/平方米"),
        ("weight", "280 g/m²", "克重：280克/平方米"),
        ("weight", "280 GSM ±5%", "克重：280克/平方米（误差±5%）"),
        ("weight", "350g/pc", "重量：单个重量350克"),
        ("weight", "1,5 кг", "重量：1.5公斤"),
        ("dimensions", "30x20x10 cm", "尺寸：30×20×10厘米（长×宽×高）"),
        ("dimensions", "30 х 20 мм", "尺寸：30×20毫米（长×宽）"),
        ("dimensions", "diameter 8 cm, height 12 cm", "尺寸：直径 8厘米，高度 12厘米"),
        ("colour", "Pantone 186 C", "颜色：潘通色号 186 C"),
        ("colour", "PMS 19-4052 TCX", "颜色：潘通色号 19-4052 TCX"),
        ("colour", "186C", "颜色：潘通色号 186C"),
        ("colour", "чёрный и белый, матовый", "颜色：黑色和白色，哑光"),
        ("colour", "navy blue", "颜色：藏青色"),
        ("colour", "same as sample", "颜色：与样品一致"),
        ("quantity", "1,000 pcs", "数量：1000件"),
        ("quantity", "1 000 шт", "数量：1000件"),
        ("quantity", "500", "数量：500件"),
        ("quantity", "200 sets", "数量：200套"),
        ("quantity", "50 pairs", "数量：50双"),
        ("packaging", "colour box, 50 pcs per carton", "包装：彩盒，每箱50件"),
        ("packaging", "OPP bag + export carton", "包装：OPP袋和出口纸箱"),
        ("packaging", "white box", "包装：白盒"),
        ("packaging", "индивидуальная упаковка", "包装：独立包装"),
        ("labelling", "hang tag, woven label, custom logo", "标签和印刷：吊牌，织唛，定制logo"),
        ("labelling", "FBA label, barcode", "标签和印刷：FBA标签，条形码"),
        ("labelling", "без логотипа", "标签和印刷：无logo"),
        ("deadline", "2026-03-15", "交期：2026年3月15日前发货"),
        ("deadline", "by 15.03.2026", "交期：2026年3月15日前发货"),
        ("deadline", "до 15.03", "交期：2026年3月15日前发货"),
        ("deadline", "30 days", "交期：下单后30天内发货"),
        ("deadline", "в течение 4 недель", "交期：下单后4周内发货"),
        ("deadline", "15/03/2026", "交期：2026年3月15日前发货"),
        ("deadline", "03/15/2026", "交期：2026年3月15日前发货"),
    ],
)
def test_known_wording_is_translated(field: str, typed: str, chinese: str) -> None:
    assert zh(field, typed) == chinese
    assert warnings(field, typed) == []


def test_an_item_with_any_unknown_word_is_kept_whole_as_typed() -> None:
    line = read_field("product", "insulated tumbler with bamboo lid, mug")

    assert line is not None
    assert line.zh == "产品：insulated tumbler with bamboo lid，马克杯"
    unknown = line.items[0][0]
    assert unknown.key is None
    assert unknown.warning == UNKNOWN
    assert unknown.typed == "insulated tumbler with bamboo lid"


def test_a_glossary_word_in_another_field_is_not_borrowed() -> None:
    # "hang tag" is labelling; in the colour answer it is not known.
    assert warnings("colour", "hang tag") == [UNKNOWN]


@pytest.mark.parametrize(
    ("field", "typed", "warning"),
    [
        ("material", "stainless steel", NO_GRADE),
        ("colour", "like the picture", VAGUE),
        ("colour", "как на фото", VAGUE),
        ("product", "good quality", VAGUE),
        ("deadline", "ASAP", VAGUE),
        ("dimensions", "30x20", NO_UNIT),
        ("deadline", "03/04/2026", AMBIGUOUS_DATE),
        ("deadline", "2025-12-01", PAST_DATE),
        ("deadline", "31.02.2026", UNKNOWN),
        ("quantity", "lots", UNKNOWN),
    ],
)
def test_doubtful_wording_is_marked(field: str, typed: str, warning: str) -> None:
    assert warnings(field, typed) == [warning]


def test_a_date_without_a_year_is_the_next_one() -> None:
    assert zh("deadline", "до 15.03") == "交期：2026年3月15日前发货"
    assert zh("deadline", "до 05.01") == "交期：2027年1月5日前发货"


def test_the_longest_known_phrase_wins() -> None:
    # 牛皮纸 (kraft paper), not 牛皮 (cowhide) followed by 纸.
    assert zh("material", "牛皮纸") == "材质：牛皮纸"
    assert zh("colour", "light blue") == "颜色：浅蓝色"
    assert zh("packaging", "white box") == "包装：白盒"


def test_short_words_do_not_match_inside_longer_ones() -> None:
    # "pp" is polypropylene and "pe" polyethylene, but "pepp" is neither; "redblack" is
    # not red followed by black.
    assert warnings("material", "pepp") == [UNKNOWN]
    assert warnings("colour", "redblack") == [UNKNOWN]
    assert warnings("material", "pe pp") == []


def test_full_width_and_invisible_characters_are_normalised() -> None:
    assert zh("weight", "２８０ＧＳＭ") == "克重：280克/平方米"
    assert zh("product", "\u202emug\u200b") == "产品：马克杯"


def test_a_long_answer_is_cut_and_says_so() -> None:
    line = read_field("product", "mug, " * 100)

    assert line is not None
    assert line.cut
    assert len(line.items) <= MAX_ITEMS
    short = read_field("product", "mug")
    assert short is not None
    assert not short.cut


def test_a_line_never_has_more_than_max_pieces() -> None:
    line = read_field("deadline", "1d " * 60)

    assert line is not None
    assert sum(len(item) for item in line.items) == MAX_PIECES
    assert line.cut


def test_empty_and_invisible_answers_give_no_line() -> None:
    assert read_field("product", "   ") is None
    assert read_field("product", "\u200b\u202e") is None
    assert read_field("product", ",,,") is None


def test_the_message_greets_lists_in_field_order_and_asks_for_confirmation() -> None:
    spec = build_spec({"quantity": "500", "product": "mug", "colour": ""})

    assert spec.zh_message.split("\n") == [ZH_INTRO, "1. 产品：马克杯", "2. 数量：500件", ZH_OUTRO]
    assert "请回复“确认”" in ZH_OUTRO
    assert not spec.needs_checking


def test_nothing_answered_is_an_empty_spec() -> None:
    assert build_spec({}).lines == ()


def test_every_meaning_the_glossary_produces_is_in_both_catalogues() -> None:
    produced = catalogue_keys()

    assert produced <= keys("en")
    assert produced <= keys("ru")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@given(st.sampled_from(FIELDS), st.text(max_size=300))
def test_any_answer_is_read_and_every_piece_can_be_said_back(field: str, typed: str) -> None:
    line = read_field(field, typed, today=TODAY)
    if line is None:
        return
    assert line.items
    for item in line.items:
        for piece in item:
            if piece.key is None:
                assert piece.warning is not None, "text kept as typed is always marked"
                continue
            names = {name for name, _ in piece.args}
            assert placeholders(translate("en", piece.key)) == names
            assert placeholders(translate("ru", piece.key)) == names
            for _, value in piece.args:
                if isinstance(value, Ref):
                    assert value.key in keys("en")


def test_the_chinese_never_says_more_than_a_few_times_the_answer() -> None:
    # Worst expansions: "1d" becomes 下单后1天内发货; the cap on pieces keeps lines short.
    for field in FIELDS:
        line = read_field(field, "1d 1x1mm ±1% 186c " * 20, today=TODAY)
        if line is not None:
            assert len(line.zh) < 5 * MAX_ANSWER
