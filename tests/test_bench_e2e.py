"""The end-to-end benchmark works: both bots start, answer and are measured (no timings)."""

from __future__ import annotations

import pytest

from bot.bench import BENCHMARKS
from bot.bench.e2e import E2eSizes, measure_both, percentile, rows, side_by_side

TINY = E2eSizes(loads=(1, 2), window_seconds=1.0, warmup_messages=1, idle_seconds=0.2)


async def test_both_bots_are_loaded_and_measured_side_by_side() -> None:
    ours, echo = await measure_both(TINY)

    for run in (ours, echo):
        assert [load.users for load in run.loads] == [1, 2]
        for load in run.loads:
            assert load.latencies, f"{run.name} answered nothing to {load.users} user(s)"
            assert load.unanswered == 0
            assert all(latency > 0 for latency in load.latencies)
        # Latency pairs each update with the next reply in its chat: one reply per update.
        assert run.replies == run.updates_sent
        assert run.startup_seconds > 0
        assert run.idle_rss_mb > 0
        assert run.peak_rss_mb >= run.loaded_rss_mb > 0
    table = rows(ours, echo, TINY)
    assert [name for name, _, _ in table] == [
        "end to end: 1 user, latency p50 / p95",
        "end to end: 2 users at once, updates/s and latency p50 / p95",
        "start-up: process start to first poll",
        "idle RSS: bot process",
    ]
    assert all("Sourcing Guard" in figure and "PTB echo bot" in figure for _, figure, _ in table)
    lines = side_by_side(ours, echo)
    assert lines[0] == "| | Sourcing Guard | PTB echo bot |"
    assert any(line.startswith("| 2 users: latency p95 |") for line in lines)
    ratio = next(line for line in lines if line.startswith("| 2 users: bot CPU per update, ÷"))
    expected = ours.load(2).cpu_ms_per_update / echo.load(2).cpu_ms_per_update
    assert ratio.split("|")[2].strip() == f"{expected:.1f}×"


def test_the_benchmark_is_one_of_the_bench_commands_choices() -> None:
    assert "e2e" in BENCHMARKS


@pytest.mark.parametrize(
    ("percent", "expected"), [(50, 3.0), (95, 5.0), (100, 5.0), (1, 1.0), (20, 1.0)]
)
def test_percentiles_are_nearest_rank(percent: float, expected: float) -> None:
    assert percentile([5.0, 1.0, 4.0, 2.0, 3.0], percent) == expected


def test_no_samples_give_zero() -> None:
    assert percentile([], 50) == 0.0


def test_the_flood_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_E2E_FLOOD", "sometimes")

    with pytest.raises(ValueError, match="BENCH_E2E_FLOOD"):
        E2eSizes.from_environment(3.0)
