"""The check on the AI helper's spec translations: every number the buyer wrote, with its
unit, must survive into the Chinese and the back-translation; glossary lines never change."""

from __future__ import annotations

import pytest

from bot.domain.spec.builder import MACHINE, UNKNOWN, build_spec
from bot.domain.spec.check import (
    REFUSED_EMPTY,
    REFUSED_LONG,
    REFUSED_MARKUP,
    REFUSED_NUMBERS,
    REFUSED_UNREAD,
    Wording,
    added_amounts,
    amounts,
    check_translation,
    missing_amounts,
    unknown_wording,
    with_machine_translations,
)


def lost(source: str, target: str) -> list[str]:
    return [amount.text for amount in missing_amounts(source, target)]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("wall 3 mm thick", "壁厚3毫米"),
        ("wall 3 mm thick", "壁厚3mm"),
        ("insulated tumbler 500 ml", "500毫升保温随行杯"),
        ("1,5 кг", "1.5公斤"),
        ("1,000 pcs", "1000件"),
        ("1 000 шт", "1000个"),
        ("10,000 pieces", "1万件"),
        ("２８０ＧＳＭ ±５％", "280克/平方米，误差±5%"),  # full-width digits and units
        ("280 GSM", "280 g/m2"),
        ("12 V 2 A adapter", "12伏 2A 适配器"),
        ("220 В", "220V"),
        ("45°C max", "最高45℃"),
        ("30x20x10 cm", "30×20×10厘米"),
        ("SS304 lid", "304不锈钢盖"),
        ("3 months warranty", "保修3个月"),
        ("wall 3 mm thick", "wall thickness 3 millimetres"),  # a back-translation
        ("стенка 3 мм", "wall 3 mm"),
    ],
)
def test_numbers_that_survive_are_not_flagged(source: str, target: str) -> None:
    assert lost(source, target) == []


@pytest.mark.parametrize(
    ("source", "target", "missing"),
    [
        ("insulated tumbler 500 ml", "保温随行杯", ["500 ml"]),  # dropped
        ("wall 3 mm thick", "壁厚3厘米", ["3 mm"]),  # unit changed
        ("wall 3 mm thick", "壁厚5毫米", ["3 mm"]),  # number changed
        ("3 inch", "7.62厘米", ["3 inch"]),  # converted
        ("1,5 кг", "15公斤", ["1,5 кг"]),
        ("５００ｍｌ", "50毫升", ["500ml"]),  # full-width source
        ("10 pcs per bag, 2 cartons", "每袋10件", ["2 cartons"]),
        ("200 sets", "200件", ["200 sets"]),  # sets are not pieces
    ],
)
def test_a_number_lost_or_changed_is_named_as_the_buyer_wrote_it(
    source: str, target: str, missing: list[str]
) -> None:
    assert lost(source, target) == missing


def test_a_number_the_buyer_wrote_twice_is_named_once() -> None:
    assert lost("3 mm wall, 3 mm rim", "杯壁") == ["3 mm"]


def test_a_unit_the_check_cannot_read_still_counts_the_number_as_present() -> None:
    # The check finds lost numbers; it does not parse every way of writing a unit.
    assert lost("3 mm", "3 milimetrs") == []
    assert lost("model 2024", "2024款") == []


def test_numbers_the_translation_invents_are_found() -> None:
    added = added_amounts("insulated tumbler", "500毫升保温随行杯")

    assert [amount.text for amount in added] == ["500毫升"]


def test_everyday_words_after_a_number_are_not_units() -> None:
    assert [(a.text, a.unit) for a in amounts("3 mugs, 3 в коробке, 5 in 1")] == [
        ("3", None),
        ("5", None),
        ("1", None),
    ]


# -- what may reach the supplier ----------------------------------------------------------


def wording(typed: str) -> Wording:
    return Wording(line=0, item=0, field="product", typed=typed)


def test_a_faithful_translation_read_back_is_accepted() -> None:
    found = check_translation(
        wording("insulated tumbler 500 ml"), "500毫升保温随行杯", "500 ml insulated travel cup"
    )

    assert found.accepted
    assert found.lost_in_back == ()
    assert found.added == ()


def test_chinese_that_lost_a_number_is_refused_before_it_is_read_back() -> None:
    found = check_translation(wording("wall 3 mm thick"), "厚壁")

    assert found.refused == REFUSED_NUMBERS
    assert [amount.text for amount in found.lost] == ["3 mm"]
    assert not found.readable


def test_a_number_missing_only_from_the_reading_is_flagged_not_refused() -> None:
    found = check_translation(wording("wall 3 mm thick"), "壁厚3毫米", "thick wall")

    assert found.accepted
    assert [amount.text for amount in found.lost_in_back] == ["3 mm"]


@pytest.mark.parametrize(
    ("zh", "refused"),
    [
        ('<b>保温杯</b> <a href="https://evil.example">点击</a>', REFUSED_MARKUP),
        ("保温杯 点击https://evil.example/refund", REFUSED_MARKUP),
        ("保温杯，详情见 evil.example", REFUSED_MARKUP),
        # Read as the buyer sees it: full-width, invisible characters, look-alike letters.
        ("保温杯，详情见 ｅｖｉｌ．ｅｘａｍｐｌｅ", REFUSED_MARKUP),
        ("保温杯，详情见 evil\u200b.\u200dexample", REFUSED_MARKUP),
        ("保温杯，详情见 аlibaba.com", REFUSED_MARKUP),
        ("保温杯，详情见 alibaba.соm", REFUSED_MARKUP),
        ("保温杯" * 30, REFUSED_LONG),
        ("  ", REFUSED_EMPTY),
    ],
)
def test_chinese_that_is_not_a_plain_translation_is_refused(zh: str, refused: str) -> None:
    assert check_translation(wording("insulated tumbler"), zh).refused == refused


def test_a_link_the_buyer_wrote_may_stay() -> None:
    typed = "same as detail.1688.com/offer/123.html"

    found = check_translation(wording(typed), "与detail.1688.com/offer/123.html一致", "same as …")

    assert found.accepted


def test_an_empty_reading_cannot_be_checked_so_it_is_not_used() -> None:
    found = check_translation(wording("insulated tumbler"), "保温随行杯", " ")

    assert found.refused == REFUSED_UNREAD
    assert not found.accepted


# -- the glossary stays -------------------------------------------------------------------


def test_only_wording_the_glossary_did_not_know_goes_to_the_model() -> None:
    spec = build_spec(
        {
            "product": "insulated tumbler, mug",
            "dimensions": "30x20x10",  # kept as typed for its missing unit: not the model's
            "colour": "black",
        }
    )

    assert unknown_wording(spec) == (Wording(0, 0, "product", "insulated tumbler"),)


def test_accepted_translations_replace_only_the_typed_items() -> None:
    spec = build_spec({"product": "insulated tumbler, mug", "material": "bamboo fibre, SS304"})
    first, second = unknown_wording(spec)
    kept = check_translation(first, "保温随行杯", "insulated travel cup")
    refused = check_translation(second, '<a href="https://evil.example">竹纤维</a>')

    merged = with_machine_translations(spec, [kept, refused])

    assert merged.zh_message.split("\n")[1:3] == [
        "1. 产品：保温随行杯，马克杯",
        "2. 材质：bamboo fibre，304不锈钢",
    ]
    machine = merged.lines[0].items[0][0]
    assert (machine.warning, machine.typed, machine.back) == (
        MACHINE,
        "insulated tumbler",
        "insulated travel cup",
    )
    assert merged.lines[1].items[0][0].warning == UNKNOWN
    assert merged.lines[0].items[1] == spec.lines[0].items[1]  # the glossary's 马克杯
    assert merged.needs_checking  # machine wording is never presented as the glossary's


def test_chinese_not_yet_read_back_is_not_used() -> None:
    spec = build_spec({"product": "insulated tumbler"})
    (only,) = unknown_wording(spec)

    unread = check_translation(only, "保温随行杯")

    assert unread.readable
    assert with_machine_translations(spec, [unread]) == spec
