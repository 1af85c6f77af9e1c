"""The problem-word rule: messages about short, broken or wrong goods go to the dispute
walkthrough, questions about paying, shipping or registering do not."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.domain.problems import ProblemKind, find_problem

DATA = Path(__file__).parents[1] / "data" / "problem_messages" / "messages.csv"


def _rows(split: str) -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["split"] == split]


def _precision_recall(split: str) -> tuple[float, float]:
    hits = false_alarms = misses = 0
    for row in _rows(split):
        said = find_problem(row["text"]) is not None
        meant = row["label"] == "problem"
        hits += said and meant
        false_alarms += said and not meant
        misses += meant and not said
    return hits / (hits + false_alarms), hits / (hits + misses)


def test_the_held_out_half_is_found_with_few_false_alarms() -> None:
    precision, recall = _precision_recall("test")
    print(f"\nheld-out precision {precision:.2f} recall {recall:.2f}")
    assert precision >= 0.9
    assert recall >= 0.9


def test_the_tuning_half_is_all_right() -> None:
    assert _precision_recall("dev") == (1.0, 1.0)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my forwarder got the parcel but 20 pcs are missing", ProblemKind.SHORT),
        ("не хватает 20 штук", ProblemKind.SHORT),
        ("少了三件", ProblemKind.SHORT),
        ("货不够", ProblemKind.SHORT),
        ("two cartons arrived broken", ProblemKind.DAMAGED),
        ("много брака", ProblemKind.DAMAGED),
        ("they sent the wrong colour", ProblemKind.WRONG),
        ("发错货了", ProblemKind.WRONG),
    ],
)
def test_each_family_names_its_kind(text: str, kind: ProblemKind) -> None:
    found = find_problem(text)
    assert found is not None
    assert found.kind is kind


@pytest.mark.parametrize(
    "text",
    [
        "is this link broken?",
        "my SMS code is missing",
        "how do I spot a fake 1688 site?",
        "How do I pay safely?",
    ],
)
def test_the_same_words_about_links_and_accounts_are_not_a_problem(text: str) -> None:
    assert find_problem(text) is None
