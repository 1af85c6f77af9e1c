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


# -- natural phrasing (issue 17): one measure, many ways of writing it, one Chinese ---------

SAME_MEASURE = [
    (
        "weight",
        "重量：单个重量约350克",
        [
            "about 350g per pc",
            "approx. 350 g/pc",
            "~0.35kg each",
            "около 350 г за штуку",
            "примерно 0,35 кг/шт",
            "unit weight about 350 g",
            "约350克每个",
        ],
    ),
    (
        "weight",
        "重量：单个重量350克",
        ["350 g/pc", "0.35kg each", "350 grams per piece", "each piece 350g", "вес 1 шт 350 г"],
    ),
    ("weight", "重量：1.2公斤", ["1200 g", "1.2 kg", "1,2 кг"]),
    (
        "packaging",
        "包装：每箱50件",
        [
            "50 pcs per carton",
            "50pcs/ctn",
            "carton of 50",
            "ctn qty: 50",
            "50 per carton",
            "50 pcs in each carton",
            "по 50 шт в коробке",
            "每箱50件",
            "装箱数50",
        ],
    ),
    (
        "deadline",
        "交期：2027年1月15日前发货",
        [
            "before 15 jan 2027",
            "by Jan 15, 2027",
            "2027-01-15",
            "15/01/2027",
            "15th January 2027",
            "deadline: 15.01.2027",
            "ship by jan 15 2027 pls",
            "до 15 января 2027",
            "2027年1月15日前",
        ],
    ),
    ("deadline", "交期：2026年1月15日前发货", ["by Jan 15", "before 15 January", "до 15.01"]),
    (
        "material",
        "材质：内胆304不锈钢",
        [
            "304 stainless inside",
            "inside 304",
            "inner: SS304",
            "внутри нержавейка 304",
            "304不锈钢内胆",
        ],
    ),
    (
        "material",
        "材质：外壳201不锈钢也可以",
        ["201 outside ok", "outer shell 201 is fine too", "снаружи 201 тоже можно"],
    ),
    ("material", "材质：18/8不锈钢", ["18/8 stainless steel", "18-8 stainless", "18/8"]),
    ("material", "材质：拉丝", ["brushed", "brushed finish", "hairline finish"]),
    ("material", "材质：喷粉", ["powder coated", "powder-coating", "порошковая покраска"]),
    ("material", "材质：电镀", ["electroplated", "electro-plating", "гальваника"]),
    ("material", "材质：喷砂", ["sandblasted", "sand blasted", "пескоструйная обработка"]),
    ("material", "材质：盖子硅胶", ["silicone lid", "lid: silicone", "silicone for the lid"]),
    (
        "dimensions",
        "尺寸：10×20×30厘米（长×宽×高）",
        ["10x20x30 cm", "10 cm x 20 cm x 30 cm", "10*20*30cm", "size: 10 × 20 × 30 см"],
    ),
    ("dimensions", "尺寸：约10×20×30厘米（长×宽×高）", ["about 10x20x30 cm", "approx 10*20*30cm"]),
    ("quantity", "数量：共600件", ["600 pcs total", "total 600 pcs", "всего 600 шт"]),
    (
        "labelling",
        "标签和印刷：单色logo（位置：盖子）",
        ["1 colour logo on the lid", "one-colour logo on lid", "单色logo印在盖子上"],
    ),
    ("labelling", "标签和印刷：丝印", ["silk screen", "silkscreen printing", "screen print"]),
    ("labelling", "标签和印刷：镭雕", ["laser engraving", "laser engraved", "激光雕刻"]),
    (
        "packaging",
        "包装：每件单独装OPP袋",
        [
            "each in opp bag",
            "each piece in its own opp bag",
            "one in an OPP bag",
        ],
    ),
]


@pytest.mark.parametrize(
    ("field", "chinese", "typed"),
    [(field, chinese, typed) for field, chinese, phrasings in SAME_MEASURE for typed in phrasings],
)
def test_a_measure_phrased_several_ways_comes_out_the_same(
    field: str, chinese: str, typed: str
) -> None:
    assert zh(field, typed) == chinese
    assert warnings(field, typed) == []


@pytest.mark.parametrize(
    ("field", "typed", "chinese"),
    [
        (
            "material",
            "304 stainless inside, 201 outside ok",
            "材质：内胆304不锈钢，外壳201不锈钢也可以",
        ),
        ("material", "food grade PP, ABS handle, zinc alloy", "材质：食品级PP，把手ABS，锌合金"),
        ("material", "aluminium alloy, anodized, matte", "材质：铝合金，阳极氧化，哑光"),
        ("material", "bamboo lid, glass body", "材质：盖子竹，主体玻璃"),
        ("colour", "black lid, white body", "颜色：盖子黑色，主体白色"),
        ("colour", "black or white", "颜色：黑色或白色"),
        ("weight", "net weight 350g, gross weight 0.4 kg", "重量：净重 350克，毛重 400克"),
        ("weight", "max 350g", "重量：不超过350克"),
        ("packaging", "individual white box, bubble wrap", "包装：独立包装白盒，气泡袋"),
        ("packaging", "20 pcs per inner box, 100 pcs per carton", "包装：每盒20件，每箱100件"),
        ("labelling", "2 colour print on the front", "标签和印刷：双色印刷（位置：正面）"),
        ("deadline", "before 15 jan 2027 pls", "交期：2027年1月15日前发货"),
        ("quantity", "1000 pcs ±3%", "数量：1000件（误差±3%）"),
        ("deadline", "lead time: 30 days please", "交期：下单后30天内发货"),
    ],
)
def test_natural_phrasing_is_translated_whole(field: str, typed: str, chinese: str) -> None:
    assert zh(field, typed) == chinese
    assert warnings(field, typed) == []


def test_an_unknown_item_names_the_words_that_kept_it_as_typed() -> None:
    spec = build_spec({"material": "304 inside, bamboo fibre outside, soft bpa thingy"})

    kept = spec.untranslated
    assert [piece.typed for piece in kept] == ["bamboo fibre outside", "soft bpa thingy"]
    assert [piece.unknown for piece in kept] == [("fibre",), ("soft bpa thingy",)]
    assert spec.lines[0].zh.startswith("材质：内胆304不锈钢，")


def test_a_fully_known_spec_has_nothing_untranslated() -> None:
    spec = build_spec({"material": "304 inside, 201 outside ok", "weight": "about 350g per pc"})

    assert spec.untranslated == ()
