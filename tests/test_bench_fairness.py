"""The fairness benchmark works: the bot starts, one user floods, the other is measured
(no timings)."""

from __future__ import annotations

from bot.bench import BENCHMARKS
from bot.bench.fairness import FairnessSizes, _checkout, measure, row

TINY = FairnessSizes(flood=6, rounds=1, pause=0.2)


async def test_the_other_user_is_measured_while_one_floods() -> None:
    run = await measure(_checkout(None), TINY)

    assert run.latencies, "the other user was answered while the flood drained"
    assert all(latency > 0 for latency in run.latencies)
    assert run.throttled > 0, "the flooding user's chat met the flood limit"
    assert run.backlog_seconds
    name, figure, conditions = row(run, TINY)
    assert name.startswith("fairness, after:")
    assert " / " in figure
    assert "6 × /help" in conditions
    assert "fairness" in BENCHMARKS
