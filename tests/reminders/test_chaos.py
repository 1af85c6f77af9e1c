"""The reminder engine under everything at once: engine processes killed with SIGKILL and
restarted, users blocking the bot and writing again, and the wall clock stepped ±4 h, while
orders with three stages each keep falling due.

Then: every reminder due has been delivered or superseded by a later one of its order
(none pending, claimed or paused), none delivered twice unless after a kill and marked
"(repeat)", no order told twice that its deadline passed, and no message to a chat
refused for flooding. A short form runs with the suite; `RUN_SOAK=1 SOAK_MINUTES=3
.venv/bin/pytest -m soak tests/reminders` runs it for minutes and prints the figures that
BENCHMARKS.md reports.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from bot.db.models import ReminderStatus
from bot.db.users import touch_user
from bot.reminders.store import resume_user_reminders
from bot.sandbox.server import Sandbox

from .conftest import (
    REPEAT_MARK,
    Factory,
    Sessions,
    TestClock,
    flood_answers,
    open_chats,
    reminder_id,
    reminder_sends,
)
from .test_guarantees import EngineProcess

STEP = timedelta(hours=4)
STAGES = [timedelta(seconds=s) for s in (6, 3, 1)]
PASSED_MARK = "deadline passed"


@dataclass
class ChaosPlan:
    seed: int
    seconds: float
    users: int = 30


@dataclass
class ChaosFigures:
    orders: int = 0
    kills: int = 0
    blocks: int = 0
    unblocks: int = 0
    steps: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    deliveries: int = 0
    repeats: int = 0  # a second delivery after a kill, marked "(repeat)"
    marked_only: int = 0  # marked "(repeat)" after a kill, yet the only delivery
    duplicates: int = 0  # anything else delivered twice: must be 0
    # Superseded rows a killed process had delivered; the message standing for them then
    # came as well, marked "(repeat)" unless it was already on its way.
    superseded_delivered: int = 0
    superseded_unmarked: int = 0
    passed_twice: int = 0  # orders told twice that the deadline passed: must be 0
    refused: int = 0  # 429 answers: must be 0
    seconds: float = 0.0

    def summary(self) -> str:
        steps = ", ".join(f"{n}× {kind}" for kind, n in sorted(self.steps.items()))
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        return (
            f"{self.seconds:.0f} s: {self.orders} orders ({statuses}); {self.kills} kills, "
            f"{self.blocks} blocks, {self.unblocks} unblocks, steps {steps}; "
            f"{self.deliveries} messages, {self.repeats} repeats after kills (marked), "
            f"{self.marked_only} marked in doubt but delivered once, "
            f"{self.superseded_delivered} superseded after a kill had sent them "
            f"({self.superseded_unmarked} followed by an unmarked message), "
            f"{self.duplicates} duplicates, {self.passed_twice} orders told twice it passed, "
            f"{self.refused} × 429"
        )


async def user_writes_again(sessions: Sessions, user_id: int, clock: TestClock) -> None:
    """What the bot does when a user who blocked it writes (bot/runtime/users.py)."""
    async with sessions.begin() as session:
        await touch_user(session, user_id, now=clock.now())
    async with sessions.begin() as session:
        await resume_user_reminders(session, user_id)


class SteppedWallClock:
    """The engine processes' wall clock (through the clock file) and the test's, stepped
    together."""

    def __init__(self, clock: TestClock, path: Path) -> None:
        self.clock = clock
        self.path = path
        self.offset = timedelta(0)
        path.write_text("0")

    def step(self, delta: timedelta) -> None:
        self.offset += delta
        self.clock.jump(delta)
        self.path.write_text(str(self.offset.total_seconds()))


async def run_chaos(
    sandbox: Sandbox,
    factory: Factory,
    sessions: Sessions,
    process: EngineProcess,
    wall: SteppedWallClock,
    plan: ChaosPlan,
) -> ChaosFigures:
    rng = random.Random(plan.seed)
    figures = ChaosFigures()
    users = list(range(5001, 5001 + plan.users))
    open_chats(sandbox, *users)
    async with sessions.begin() as session:  # every user exists before anyone writes
        await factory.ensure_users(session, set(users), wall.clock.now())
    blocked: set[int] = set()
    started = time.monotonic()
    running = await process.start_ready()
    try:
        while time.monotonic() - started < plan.seconds:
            action = rng.random()
            if action < 0.45:
                await factory.stages(
                    rng.choice(users), timedelta(seconds=rng.uniform(0.5, 10.0)), STAGES
                )
                figures.orders += 1
            elif action < 0.58:
                running.send_signal(signal.SIGKILL)
                await running.wait()
                figures.kills += 1
                running = await process.start_ready()
            elif action < 0.72:
                user = rng.choice(users)
                sandbox.block(user)
                blocked.add(user)
                figures.blocks += 1
            elif action < 0.86 and blocked:
                user = rng.choice(sorted(blocked))
                sandbox.unblock(user)
                blocked.discard(user)
                await user_writes_again(sessions, user, wall.clock)
                figures.unblocks += 1
            elif action >= 0.86:
                # Between −4 h and +4 h of the truth, one 4 h step at a time.
                choices = [d for d in (STEP, -STEP) if abs(wall.offset + d) <= STEP]
                delta = rng.choice(choices)
                wall.step(delta)
                figures.steps["+4h" if delta > timedelta(0) else "-4h"] += 1
            await asyncio.sleep(rng.uniform(0.05, 0.4))
        # The end: every user writes again and the clock ends 4 h ahead, so whatever was
        # planned at any offset is due by now.
        for user in sorted(blocked):
            sandbox.unblock(user)
        if wall.offset < STEP:
            wall.step(STEP - wall.offset)
            figures.steps["+4h"] += 1
        for user in users:
            await user_writes_again(sessions, user, wall.clock)
        await _wait_until_settled(factory, timeout=process.lease + 30.0)
        await asyncio.sleep(0.3)  # room for a stray duplicate to show up before counting
    finally:
        await _stop(running, process)
    figures.seconds = time.monotonic() - started
    await _count(factory, sandbox, figures)
    return figures


async def _stop(running: asyncio.subprocess.Process, process: EngineProcess) -> None:
    """SIGTERM, and the engine's stop (sends finishing, rows handed back) within a minute:
    on a loaded machine SQLite's writes queue behind each other. Past it, the process is
    killed and the failure carries its log."""
    running.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(running.wait(), timeout=60.0)
    except TimeoutError:
        running.kill()
        await running.wait()
        raise AssertionError(
            "the engine did not stop on SIGTERM:\n" + process.log_tail()
        ) from None


async def _wait_until_settled(factory: Factory, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    settled = (ReminderStatus.SENT, ReminderStatus.SUPERSEDED)
    while True:
        rows = (await factory.rows()).values()
        now = factory.clock()
        if all(row.status in settled for row in rows if row.due_at <= now):
            return
        if time.monotonic() > deadline:
            unsettled = [(r.id, r.status) for r in rows if r.status not in settled]
            raise AssertionError(f"not settled in time: {unsettled}")
        await asyncio.sleep(0.1)


async def _count(factory: Factory, sandbox: Sandbox, figures: ChaosFigures) -> None:
    rows = await factory.rows()
    figures.statuses = Counter(str(row.status) for row in rows.values())
    texts: dict[int, list[str]] = {}
    for call in reminder_sends(sandbox):
        texts.setdefault(reminder_id(call), []).append(str(call.params["text"]))
    figures.deliveries = sum(len(delivered) for delivered in texts.values())
    passed: Counter[int] = Counter()
    for reminder, delivered in texts.items():
        unmarked = [text for text in delivered if REPEAT_MARK not in text]
        extra = len(delivered) - 1
        if extra == 0:
            figures.marked_only += len(delivered) - len(unmarked)
        elif len(unmarked) <= 1 and REPEAT_MARK in delivered[-1] and rows[reminder].in_doubt:
            figures.repeats += extra
        else:
            figures.duplicates += extra
        if any(PASSED_MARK in text for text in unmarked):
            passed[rows[reminder].order_id] += 1
    figures.passed_twice = sum(1 for count in passed.values() if count > 1)
    for reminder in texts:
        row = rows[reminder]
        if row.status != ReminderStatus.SUPERSEDED or row.superseded_by is None:
            continue
        figures.superseded_delivered += 1
        after = texts.get(row.superseded_by, [])
        if after and REPEAT_MARK not in after[0]:
            figures.superseded_unmarked += 1
    figures.refused = len(flood_answers(sandbox))
    never = [
        row.id
        for row in rows.values()
        if row.status == ReminderStatus.SENT and row.id not in texts
    ]
    assert not never, f"marked sent, never delivered: {never}"


def assert_exact(figures: ChaosFigures, database_url: str) -> None:
    print(f"chaos ({database_url.split('+')[0]}): {figures.summary()}")
    assert figures.duplicates == 0
    assert figures.passed_twice == 0
    assert figures.refused == 0
    assert figures.statuses.get(str(ReminderStatus.SUPERSEDED), 0) > 0  # stages collapsed


@pytest.fixture
def wall(clock: TestClock, tmp_path: Path) -> SteppedWallClock:
    return SteppedWallClock(clock, tmp_path / "clock-offset")


@pytest.fixture
def chaos_process(
    database_url: str, sandbox: Sandbox, tmp_path: Path, wall: SteppedWallClock
) -> EngineProcess:
    return EngineProcess(
        database_url, sandbox.base_url, tmp_path / "engine.log", clock_file=wall.path
    )


@pytest.mark.process
async def test_kills_blocks_and_clock_steps_at_once_keep_reminders_exact(
    sandbox: Sandbox,
    factory: Factory,
    sessions: Sessions,
    chaos_process: EngineProcess,
    wall: SteppedWallClock,
) -> None:
    figures = await run_chaos(
        sandbox, factory, sessions, chaos_process, wall, ChaosPlan(seed=1688, seconds=12.0)
    )
    assert figures.kills >= 1
    assert figures.steps
    assert_exact(figures, chaos_process.database_url)


@pytest.mark.soak
@pytest.mark.skipif(os.environ.get("RUN_SOAK") != "1", reason="set RUN_SOAK=1 for the soak")
@pytest.mark.process
async def test_soak_kills_blocks_and_clock_steps_for_minutes(
    sandbox: Sandbox,
    factory: Factory,
    sessions: Sessions,
    chaos_process: EngineProcess,
    wall: SteppedWallClock,
) -> None:
    minutes = float(os.environ.get("SOAK_MINUTES", "3"))
    plan = ChaosPlan(seed=int(os.environ.get("SOAK_SEED", "2026")), seconds=minutes * 60)
    figures = await run_chaos(sandbox, factory, sessions, chaos_process, wall, plan)
    assert_exact(figures, chaos_process.database_url)
