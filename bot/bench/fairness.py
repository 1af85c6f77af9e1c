"""Fairness between users, for `python -m bot bench fairness` (BENCHMARKS.md).

Sourcing Guard as deployed (`python -m bot run`, SQLite) polls a sandbox that applies
Telegram's flood limits (30 messages/s overall; per private chat 1/s after a burst of 3,
beyond which a send gets 429 with retry_after). In each round user A sends
BENCH_FAIRNESS_FLOOD (default 40) messages at once, so that A's answers take about that
many seconds to get out. Half a second later user B starts asking /help in a closed loop
(send, wait for the answer, pause BENCH_FAIRNESS_PAUSE seconds (default 1), again) until
A's last answer is out. The figure is B's latency, p50 and p99 over every answer B got: from the
sandbox queueing B's update to B's answer reaching it (one clock, the sandbox's).

BENCH_FAIRNESS_BEFORE names another checkout of the bot (e.g. an export of an older
commit): it is measured the same way first, as the "before" row.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.bench.e2e import (
    BotUnderTest,
    _bot_process,
    _until_polling,
    _wall_seconds,
    percentile,
    sourcing_guard,
)
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox

Row = tuple[str, str, str]
USER_A, USER_B = 300_001, 300_002
_REPLY_TIMEOUT = 300.0


@dataclass(frozen=True)
class FairnessSizes:
    flood: int = 40
    rounds: int = 1
    # B's pause after each answer: B keeps within its own chat's 1/s, so that what B waits
    # for is A, not B's own flood limit.
    pause: float = 1.0
    head_start: float = 0.5  # A's flood is in the bot's hands before B writes
    before: Path | None = None

    @classmethod
    def from_environment(cls) -> FairnessSizes:
        environ = os.environ
        before = environ.get("BENCH_FAIRNESS_BEFORE")
        return cls(
            flood=int(environ.get("BENCH_FAIRNESS_FLOOD", cls.flood)),
            rounds=int(environ.get("BENCH_FAIRNESS_ROUNDS", cls.rounds)),
            pause=float(environ.get("BENCH_FAIRNESS_PAUSE", cls.pause)),
            before=Path(before).resolve() if before else None,
        )


@dataclass
class FairnessRun:
    name: str
    latencies: list[float] = field(default_factory=list)
    backlog_seconds: list[float] = field(default_factory=list)
    throttled: int = 0  # 429 answers to A's chat
    throttled_b: int = 0

    def latency(self, percent: float) -> str:
        seconds = percentile(self.latencies, percent)
        return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _answers(sandbox: Sandbox, chat_id: int) -> list[float]:
    """When each of the bot's accepted sends to `chat_id` reached the sandbox."""
    return [
        call.time
        for call in sandbox.calls
        if call.method == "sendMessage"
        and call.ok
        and str(call.params.get("chat_id")) == str(chat_id)
    ]


async def _round(sandbox: Sandbox, sizes: FairnessSizes, run: FairnessRun) -> None:
    a_before, b_before = len(_answers(sandbox, USER_A)), len(_answers(sandbox, USER_B))
    flooded = _wall_seconds()
    for _ in range(sizes.flood):
        await sandbox.send_text(USER_A, "/help", first_name="Flooding Buyer")
    await asyncio.sleep(sizes.head_start)

    def a_done() -> bool:
        return len(_answers(sandbox, USER_A)) >= a_before + sizes.flood

    while not a_done():
        sent = _wall_seconds()
        await sandbox.send_text(USER_B, "/help", first_name="Other Buyer")
        expected = b_before + 1
        await sandbox.wait_for(
            lambda n=expected: len(_answers(sandbox, USER_B)) >= n or None,  # type: ignore[misc]
            timeout=_REPLY_TIMEOUT,
        )
        b_before = expected
        run.latencies.append(_answers(sandbox, USER_B)[expected - 1] - sent)
        await asyncio.sleep(sizes.pause)
    await sandbox.wait_for(lambda: a_done() or None, timeout=_REPLY_TIMEOUT)
    run.backlog_seconds.append(_answers(sandbox, USER_A)[-1] - flooded)


async def measure(bot: BotUnderTest, sizes: FairnessSizes) -> FairnessRun:
    run = FairnessRun(bot.name)
    async with Sandbox(flood=FloodLimits()) as sandbox:
        with tempfile.TemporaryDirectory(prefix="sg-bench-fairness-") as scratch:
            directory = Path(scratch)
            bot = _with_base_url(bot, directory, sandbox)
            async with _bot_process(bot, directory) as process:
                await _until_polling(sandbox, process)
                # Warm-up: both users known to the bot, the flood buckets full again.
                for user in (USER_A, USER_B):
                    await sandbox.send_text(user, "/start")
                await sandbox.wait_for(
                    lambda: (_answers(sandbox, USER_A) and _answers(sandbox, USER_B)) or None,
                    timeout=60,
                )
                await asyncio.sleep(4)
                for _ in range(sizes.rounds):
                    await _round(sandbox, sizes, run)
                    await asyncio.sleep(4)
        run.throttled, run.throttled_b = (
            sum(
                call.error_code == 429 and str(call.params.get("chat_id")) == str(user)
                for call in sandbox.calls
            )
            for user in (USER_A, USER_B)
        )
    return run


def _with_base_url(bot: BotUnderTest, directory: Path, sandbox: Sandbox) -> BotUnderTest:
    ours = sourcing_guard(directory, sandbox.base_url)
    return BotUnderTest(bot.name, bot.command, {**ours.environment, **bot.environment})


def _checkout(root: Path | None) -> BotUnderTest:
    """This bot, or the one in `root`, whose package must win over this one on the path."""
    if root is None:
        return BotUnderTest("after", [sys.executable, "-m", "bot", "run"], {})
    start = (
        f"import runpy, sys; sys.path.insert(0, {str(root)!r}); "
        "runpy.run_module('bot', run_name='__main__', alter_sys=True)"
    )
    return BotUnderTest(f"before ({root.name})", [sys.executable, "-c", start, "run"], {})


def row(run: FairnessRun, sizes: FairnessSizes) -> Row:
    backlog = max(run.backlog_seconds) if run.backlog_seconds else 0.0
    return (
        f"fairness, {run.name}: user B's /help while user A floods, latency p50 / p99",
        f"{run.latency(50)} / {run.latency(99)}",
        f"polling; sandbox flood limits as Telegram (1/s per chat after a burst of 3, 429 "
        f"with retry_after); A sends {sizes.flood} × /help at once, B asks /help in a "
        f"closed loop ({sizes.pause:.1f} s pause) until A's last answer is out; "
        f"{len(run.latencies)} answers to B over {sizes.rounds} round(s); A's backlog "
        f"took {backlog:.0f} s, {run.throttled} × 429 to A's chat, {run.throttled_b} "
        "to B's; SQLite",
    )


def bench_fairness(seconds: float, sizes: FairnessSizes | None = None) -> list[Row]:
    del seconds  # the flood, not a window, sets the length
    sizes = sizes or FairnessSizes.from_environment()
    bots = [_checkout(sizes.before)] if sizes.before is not None else []
    bots.append(_checkout(None))
    return [row(asyncio.run(measure(bot, sizes)), sizes) for bot in bots]
