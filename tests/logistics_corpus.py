"""The labelled logistics traces in tests/data/logistics/traces.jsonl, and how to score one."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.logistics import check_trace, read_trace, trace_to_json

CORPUS = Path(__file__).parent / "data" / "logistics" / "traces.jsonl"


def load_cases() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def reading_of(case: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """What the reader says of a case, in the shape of its `expected` (flags sorted)."""
    now = moment(case["now"])
    assert now is not None
    trace = read_trace(case["text"] if text is None else text, now)
    flags = check_trace(
        trace,
        now,
        warehouse_city=case["warehouse"],
        shipped_at=moment(case["shipped_at"]),
        paid_at=moment(case["paid_at"]),
    )
    reading = trace_to_json(trace, flags)
    reading["flags"] = sorted(reading["flags"])
    return reading


def mismatches(case: dict[str, Any], reading: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    expected = case["expected"]
    return {
        key: (reading.get(key), want) for key, want in expected.items() if reading.get(key) != want
    }


def main() -> None:
    """Scores per split and the reader's speed: `python -m tests.logistics_corpus`."""
    import time

    cases = load_cases()
    for split in ("tune", "held_out"):
        chosen = [case for case in cases if case["split"] == split]
        wrong = [case["id"] for case in chosen if mismatches(case, reading_of(case))]
        right = len(chosen) - len(wrong)
        print(f"{split}: {right}/{len(chosen)} right ({right / len(chosen):.1%}) {wrong or ''}")
    started, rounds = time.perf_counter(), 20
    for _ in range(rounds):
        for case in cases:
            reading_of(case)
    seconds = time.perf_counter() - started
    mean = sum(len(case["text"]) for case in cases) / len(cases)
    print(
        f"reader + flags: {rounds * len(cases) / seconds:,.0f} traces/s, one core, "
        f"mean {mean:.0f} characters a trace"
    )


if __name__ == "__main__":
    main()
