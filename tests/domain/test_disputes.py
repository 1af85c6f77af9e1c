"""Dispute facts: the weight check's numbers, the reasons and the Chinese texts to copy."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.disputes import (
    COPYABLE_MAX_CHARS,
    EVIDENCE_ZH,
    PLATFORM_BUTTONS_ZH,
    REASONS,
    REFUND_NOTE_MAX_CHARS,
    REFUND_NOTE_MIN_CHARS,
    SELLER_RESPONSE_DAYS,
    STEPS,
    Evidence,
    Reason,
    Step,
    evidence_pack,
    followup_due,
    message_zh,
    parse_weight_input,
    refund_note_zh,
    weight_check,
)

LOCALES = Path(__file__).parents[2] / "bot/render/locales"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# The worst case for lengths: the longest order number the orders table holds and a
# shortfall with many digits.
HUGE_SHORTFALL = weight_check(9_999_999, 9_999.99, 1.0)


# -- the weight check ----------------------------------------------------------------------


def test_the_issue_example_is_a_short_shipment() -> None:
    check = weight_check(500, 120, 52.3)

    assert check.expected_kg == pytest.approx(60.0)
    assert check.actual_kg == pytest.approx(52.3)
    assert check.difference_kg == pytest.approx(-7.7)
    assert check.difference_pct == pytest.approx(-12.8333, abs=1e-3)
    assert check.verdict == "light"
    assert check.short_shipment
    assert check.missing_units == 64  # 7.7 kg / 120 g = 64.2 units, whole units only


@pytest.mark.parametrize(
    ("receipt_kg", "verdict"),
    [
        (60.0, "consistent"),
        (54.0, "consistent"),  # exactly 10 % light: still within the allowance
        (53.99, "light"),
        (66.0, "consistent"),  # exactly 10 % heavy: cartons
        (66.01, "heavy"),
        (0.4, "light"),  # an empty box
    ],
)
def test_the_allowance_band_is_inclusive(receipt_kg: float, verdict: str) -> None:
    assert weight_check(500, 120, receipt_kg).verdict == verdict


def test_a_wider_allowance_accepts_more_packaging_and_more_shortfall() -> None:
    assert weight_check(500, 120, 52.3, packaging_allowance=0.15).verdict == "consistent"
    assert weight_check(500, 120, 70.0, packaging_allowance=0.2).verdict == "consistent"
    assert weight_check(500, 120, 59.0, packaging_allowance=0.0).verdict == "light"


def test_a_heavy_or_consistent_parcel_is_not_a_short_shipment() -> None:
    heavy = weight_check(10, 1000, 20)

    assert heavy.verdict == "heavy"
    assert heavy.difference_kg == pytest.approx(10)
    assert heavy.difference_pct == pytest.approx(100)
    assert not heavy.short_shipment
    assert heavy.missing_units == 0


def test_missing_units_never_exceed_the_quantity() -> None:
    assert weight_check(3, 100, 0.001).missing_units <= 3


@pytest.mark.parametrize(
    ("quantity", "unit_g", "receipt_kg", "allowance"),
    [(0, 120, 52.3, 0.1), (500, 0, 52.3, 0.1), (500, 120, 0, 0.1), (500, 120, 52.3, 1.0)],
)
def test_impossible_inputs_are_refused(
    quantity: int, unit_g: float, receipt_kg: float, allowance: float
) -> None:
    with pytest.raises(ValueError, match=r"positive|fraction"):
        weight_check(quantity, unit_g, receipt_kg, allowance)


@given(
    quantity=st.integers(1, 100_000),
    unit_g=st.floats(0.1, 50_000),
    receipt_kg=st.floats(0.001, 100_000),
)
def test_the_verdict_follows_the_sign_of_the_difference(
    quantity: int, unit_g: float, receipt_kg: float
) -> None:
    check = weight_check(quantity, unit_g, receipt_kg)

    assert check.difference_kg == pytest.approx(check.actual_kg - check.expected_kg)
    if check.verdict == "light":
        assert check.difference_kg < 0
        assert check.missing_units >= 0
    elif check.verdict == "heavy":
        assert check.difference_kg > 0
    else:
        assert abs(check.difference_pct) <= 10 + 1e-9


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("500, 120, 52.3", (500, 120.0, 52.3)),
        ("500，120，52.3", (500, 120.0, 52.3)),
        ("500 pcs 120g 52.3kg", (500, 120.0, 52.3)),
        ("  12 ; 0.5 ; 3  ", (12, 0.5, 3.0)),
    ],
)
def test_weight_input_is_read(typed: str, parsed: tuple[int, float, float]) -> None:
    assert parse_weight_input(typed) == parsed


@pytest.mark.parametrize(
    "typed",
    ["500, 120", "500, 120, 52,3", "5.5, 120, 52.3", "0, 120, 52.3", "500, 0, 1", "", "a lot"],
)
def test_unclear_weight_input_is_refused(typed: str) -> None:
    assert parse_weight_input(typed) is None


# -- reasons, steps and texts ------------------------------------------------------------------


def test_every_reason_names_the_option_shown_on_1688() -> None:
    assert set(REASONS) == set(Reason)
    shown = {info.zh for info in REASONS.values()}
    assert {"未收到货", "少件/漏发", "质量问题", "与描述不符", "发错货", "破损"} <= shown
    assert len(shown) == len(Reason), "two reasons would send the buyer to the same option"


def test_the_scale_is_suggested_only_where_it_can_prove_something() -> None:
    telling = {reason for reason, info in REASONS.items() if info.weight_tells}

    assert telling == {Reason.MISSING_ITEMS, Reason.EMPTY_PARCEL}


def test_the_steps_start_with_the_refund_and_escalate_after_keeping_it_open() -> None:
    assert STEPS[0] is Step.REFUND
    assert STEPS.index(Step.KEEP_OPEN) < STEPS.index(Step.ESCALATE)
    assert PLATFORM_BUTTONS_ZH[Step.REFUND] == "申请退款"
    assert PLATFORM_BUTTONS_ZH[Step.ESCALATE] == "申请客服介入"


def test_evidence_has_the_chinese_names_the_platform_uses() -> None:
    assert EVIDENCE_ZH[Evidence.CHAT] == "旺旺聊天记录"
    assert EVIDENCE_ZH[Evidence.VIDEO] == "开箱视频"
    assert list(EVIDENCE_ZH) == list(Evidence)


@pytest.mark.parametrize("reason", [*Reason, None])
@pytest.mark.parametrize("weight", [None, HUGE_SHORTFALL])
def test_refund_notes_fit_the_refund_form(reason: Reason | None, weight: object) -> None:
    note = refund_note_zh(reason, weight if weight is HUGE_SHORTFALL else None)

    assert REFUND_NOTE_MIN_CHARS <= len(note) < REFUND_NOTE_MAX_CHARS, "never cut short"
    assert CHINESE.search(note)
    assert note.endswith("。")


def test_a_short_shipment_adds_the_figures_to_the_refund_note() -> None:
    note = refund_note_zh(Reason.MISSING_ITEMS, weight_check(500, 120, 52.3))

    assert "60.0kg" in note
    assert "52.3kg" in note
    assert "7.7kg" in note
    assert "64件" in note


def test_a_consistent_weight_adds_nothing_to_the_refund_note() -> None:
    plain = refund_note_zh(Reason.QUALITY)

    assert refund_note_zh(Reason.QUALITY, weight_check(500, 120, 60)) == plain


@pytest.mark.parametrize("step", list(Step))
def test_every_step_has_a_polite_chinese_message_to_copy(step: Step) -> None:
    message = message_zh(step)

    assert CHINESE.search(message)
    assert "请" in message, "asks, never demands"
    assert len(message) <= COPYABLE_MAX_CHARS


def test_the_keep_open_message_does_not_withdraw_the_refund() -> None:
    message = message_zh(Step.KEEP_OPEN)

    assert "保留" in message
    assert "撤销" not in message


def test_the_evidence_pack_lists_only_what_the_buyer_has() -> None:
    pack = evidence_pack(
        reason=Reason.MISSING_ITEMS,
        evidence=[Evidence.CHAT],
        weight=weight_check(500, 120, 52.3),
        order_number="3412345678901234567",
        refund_requested=True,
    )

    assert "3412345678901234567" in pack
    assert "少件/漏发" in pack
    assert "旺旺聊天记录" in pack
    assert "面单称重" in pack, "a weight check is evidence"
    assert "开箱视频" not in pack
    assert "照片" not in pack
    assert "已申请退款" in pack
    assert "52.3kg" in pack


def test_an_empty_evidence_pack_still_states_the_case() -> None:
    pack = evidence_pack(reason=None, evidence=[])

    assert "申请平台介入" in pack
    assert "证据：" not in pack
    assert "已申请退款" not in pack


def test_the_fullest_evidence_pack_fits_a_copy_button_uncut() -> None:
    pack = evidence_pack(
        reason=Reason.NOT_AS_DESCRIBED,
        evidence=list(Evidence),
        weight=HUGE_SHORTFALL,
        order_number="9" * 32,
        refund_requested=True,
    )

    assert len(pack) < COPYABLE_MAX_CHARS
    assert pack.endswith("谢谢。")


def test_the_follow_up_comes_after_the_seller_response_window() -> None:
    applied = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    assert followup_due(applied) == applied + timedelta(days=SELLER_RESPONSE_DAYS)
    assert followup_due(applied, 1.5) == applied + timedelta(hours=36)


def test_the_default_window_is_the_researched_complaint_delay() -> None:
    # shared research §8: complaint_available_after_refund_days: 3
    assert SELLER_RESPONSE_DAYS == 3


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_catalogue_has_a_label_for_every_reason_and_evidence_item(language: str) -> None:
    texts = json.loads((LOCALES / language / "disputes.json").read_text("utf-8"))

    for reason in Reason:
        assert "{zh}" in texts[f"dsp_reason_{reason}"]
    for item in Evidence:
        assert EVIDENCE_ZH[item] in texts[f"dsp_ev_{item}"]
