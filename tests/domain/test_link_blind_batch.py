"""The link classifier on the blind batch (tests/data/links): real-world links from public
code and pages, labelled before the checker ran on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.domain.links.classify import LinkKind, classify_link

BATCH = Path(__file__).parents[1] / "data" / "links" / "blind_batch.jsonl"
FIELDS = ("kind", "platform", "offer_id", "shop_id", "via_agent")


def load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in BATCH.read_text("utf-8").splitlines() if line]


CASES = load()
TUNE = [case for case in CASES if case["split"] == "tune"]
HELD_OUT = [case for case in CASES if case["split"] == "held_out"]


def found(case: dict[str, Any]) -> dict[str, Any]:
    check = classify_link(case["text"])
    return {
        "kind": check.kind.value,
        "platform": check.platform,
        "offer_id": check.offer_id,
        "shop_id": check.shop_id,
        "via_agent": check.via_agent,
    }


def expected(case: dict[str, Any]) -> dict[str, Any]:
    labels = case["expected"]
    return {field: labels["agent" if field == "via_agent" else field] for field in FIELDS}


def test_the_batch_is_big_sourced_and_split() -> None:
    assert len(CASES) >= 40
    assert len({case["id"] for case in CASES}) == len(CASES)
    assert all(case["source"].strip() for case in CASES)
    assert {case["split"] for case in CASES} == {"tune", "held_out"}
    agents = {case["expected"]["agent"] for case in CASES} - {None}
    assert len(agents) >= 15


@pytest.mark.parametrize("case", TUNE, ids=[case["id"] for case in TUNE])
def test_every_tune_case_is_right(case: dict[str, Any]) -> None:
    assert found(case) == expected(case)


def test_held_out_primary_label_is_at_least_97_percent() -> None:
    right = sum(found(case)["kind"] == case["expected"]["kind"] for case in HELD_OUT)

    assert right / len(HELD_OUT) >= 0.97


def test_no_lookalike_is_accepted_as_1688_and_no_real_1688_link_is_called_one() -> None:
    genuine_1688 = {LinkKind.OFFER, LinkKind.SHOP, LinkKind.SHARE_LINK, LinkKind.PAGE}
    for case in CASES:
        check = classify_link(case["text"])
        truth = case["expected"]
        if truth["kind"] == "lookalike":
            assert check.kind is LinkKind.LOOKALIKE, case["id"]
        if truth["platform"] == "1688" and LinkKind(truth["kind"]) in genuine_1688:
            assert check.kind is not LinkKind.LOOKALIKE, case["id"]
