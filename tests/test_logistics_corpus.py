"""The reader and the flags against the labelled corpus: every tune case right, at least
95% of the held-out cases right in every field and flag, and no fraud case unflagged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.logistics_corpus import load_cases, mismatches, reading_of

CASES = load_cases()
TUNE = [case for case in CASES if case["split"] == "tune"]
HELD_OUT = [case for case in CASES if case["split"] == "held_out"]
CARRIERS = {"中通", "圆通", "韵达", "申通", "极兔", "顺丰", "德邦", "京东", "EMS"}
FLAGS = {
    "signed_outside_warehouse_city",
    "signed_by_proxy",
    "signed_at_locker_or_station",
    "signed_too_fast",
    "no_movement",
    "signed_before_shipped",
}


def test_the_corpus_covers_what_the_issue_asks() -> None:
    assert len(CASES) >= 60
    assert len({case["id"] for case in CASES}) == len(CASES)
    assert {case["split"] for case in CASES} == {"tune", "held_out"}
    assert {case["expected"]["carrier"] for case in CASES} >= CARRIERS
    assert set().union(*(case["expected"]["flags"] for case in CASES)) == FLAGS
    clean = [
        case for case in CASES if case["expected"]["signed"] and not case["expected"]["flags"]
    ]
    assert len(clean) >= 10, "honest deliveries to the warehouse"
    assert any(case["render"] for case in CASES), "screenshots"
    assert all(case["source"] for case in CASES)


@pytest.mark.parametrize("case", TUNE, ids=[case["id"] for case in TUNE])
def test_every_tune_case_is_read_right(case: dict[str, Any]) -> None:
    assert mismatches(case, reading_of(case)) == {}


def test_held_out_cases_are_read_right() -> None:
    wrong = {case["id"]: mismatches(case, reading_of(case)) for case in HELD_OUT}
    wrong = {name: diff for name, diff in wrong.items() if diff}
    score = 1 - len(wrong) / len(HELD_OUT)
    assert score >= 0.95, wrong


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_no_fraud_case_goes_unflagged(case: dict[str, Any]) -> None:
    if case["expected"]["flags"]:
        assert reading_of(case)["flags"], "a fraud case raised no flag"
