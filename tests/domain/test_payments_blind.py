"""Issue 16: a blind batch of real-world payment messages, labelled before the checker saw
them (tests/data/payments_blind/batch.jsonl, each with its public source).

Tuning used the `tune` half only; the `held_out` half is the score in BENCHMARKS.md.
Slot labels were written in a short hand before the slot names existed; `_ALIASES` maps
that hand to the JSON values without changing any label.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.domain.payments.checker import Verdict, classify_payment

BATCH = Path(__file__).parent.parent / "data" / "payments_blind" / "batch.jsonl"
CASES: list[dict[str, Any]] = [json.loads(line) for line in BATCH.read_text().splitlines()]

_ALIASES = {
    "bank": "bank_transfer",
    "qr": "qr_code",
    "lc": "letter_of_credit",
    "remittance": "remittance_service",
    "platform": "platform_checkout",
    "alibaba_ta": "alibaba_trade_assurance",
}


def _split(name: str) -> list[dict[str, Any]]:
    return [case for case in CASES if case["split"] == name]


def test_the_batch_is_large_sourced_and_split() -> None:
    assert len(CASES) >= 80
    assert len({case["id"] for case in CASES}) == len(CASES)
    assert all(case["source"].startswith("http") for case in CASES)
    assert {case["split"] for case in CASES} == {"tune", "held_out"}


@pytest.mark.parametrize("case", _split("tune"), ids=lambda case: case["id"])
def test_every_tune_case_is_right(case: dict[str, Any]) -> None:
    assert classify_payment(case["text"]).verdict.value == case["expected"], case["text"]


def test_held_out_score_and_no_risky_request_approved() -> None:
    held = _split("held_out")
    verdicts = {case["id"]: classify_payment(case["text"]).verdict for case in held}
    right = sum(verdicts[case["id"]].value == case["expected"] for case in held)
    risky_approved = [
        case["text"]
        for case in held
        if verdicts[case["id"]] is Verdict.APPROVED and case["expected"] != "approved"
    ]
    assert right / len(held) >= 0.97, f"{right}/{len(held)}"
    assert not risky_approved


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["id"])
def test_the_labelled_slots_are_read(case: dict[str, Any]) -> None:
    slots = classify_payment(case["text"]).slots.to_json()
    for name, label in case["slots"].items():
        value = _ALIASES.get(label, label)
        if name in {"pretext", "structure"}:
            assert value in slots[name], (case["text"], name, slots)
        elif name == "channel" and value == "unknown":
            continue  # "not said" in the label: any reading of it will do
        else:
            assert slots[name] == value, (case["text"], name, slots)
