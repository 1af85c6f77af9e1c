"""The promises that cost money when broken: nothing lost across kill -9, nothing sent twice
by two workers, a backlog after a clock jump drained in order within the flood limits,
and one process per SQLite file."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import ReminderStatus
from bot.runtime.instance_lock import InstanceAlreadyRunningError, acquire_instance_lock
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import RecordedCall, Sandbox

from .conftest import (
    REPEAT_MARK,
    Factory,
    StartEngine,
    TestClock,
    flood_answers,
    open_chats,
    reminder_id,
    reminder_sends,
    sent_ids,
    wait_for_sends,
)

REPOSITORY = Path(__file__).resolve().parents[2]
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


# -- a clock jump ----------------------------------------------------------------------


async def test_a_clock_jump_drains_the_backlog_in_due_order_within_flood_limits(
    sandbox: Sandbox, factory: Factory, clock: TestClock, start_engine: StartEngine
) -> None:
    rng = random.Random(7)
    singles = list(range(2001, 2101))
    busy = [2201, 2202, 2203]  # three chats with three reminders each
    open_chats(sandbox, *singles, *busy)
    plan = [(user, MINUTE * rng.uniform(1, 119)) for user in singles]
    plan += [(user, MINUTE * rng.uniform(1, 119)) for user in busy for _ in range(3)]
    ids = await factory.reminders(plan)
    due = {reminder: due_in for reminder, (_, due_in) in zip(ids, plan, strict=True)}
    chat_of = {reminder: user for reminder, (user, _) in zip(ids, plan, strict=True)}

    # The real limits (the sandbox's defaults), our engine's default pacing; one request
    # at a time so the arrival order at the sandbox is the dispatch order.
    engine = await start_engine(max_in_flight=1)
    await engine.sweep()
    assert sent_ids(sandbox) == []  # nothing is due yet

    clock.jump(2 * HOUR)
    engine.wake()
    await wait_for_sends(sandbox, len(ids), timeout=30.0)
    sends = reminder_sends(sandbox)
    order = [reminder_id(call) for call in sends]

    assert sorted(order) == sorted(ids)  # every one, exactly once
    # One continuous drain (109 at 25/s is ~4.4 s), not one batch per 10-s sweep tick.
    assert sends[-1].time - sends[0].time < engine.config.sweep_seconds - 1
    single_ids = [r for r in order if chat_of[r] in singles]
    assert single_ids == sorted(single_ids, key=due.__getitem__)
    for user in busy:
        chat_sends = [call for call in sends if chat_of[reminder_id(call)] == user]
        chat_order = [reminder_id(call) for call in chat_sends]
        assert chat_order == sorted(chat_order, key=due.__getitem__)
        gaps = [b.time - a.time for a, b in itertools.pairwise(chat_sends)]
        assert min(gaps) >= 0.95, f"chat {user} got messages {gaps} s apart"
    assert flood_answers(sandbox) == []
    assert _busiest_second(sends) <= 26  # the engine's 25/s (+1 at a window's edge)

    clock.jump(-3 * HOUR)  # and back: nothing is sent again
    await engine.sweep()
    await asyncio.sleep(0.2)
    assert len(reminder_sends(sandbox)) == len(ids)


def _busiest_second(sends: list[RecordedCall]) -> int:
    times = sorted(call.time for call in sends)
    busiest, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    return busiest


# -- two workers on one PostgreSQL -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_engines_on_one_postgres_send_every_reminder_exactly_once(
    sandbox: Sandbox,
    factory: Factory,
    database_url: str,
    start_engine: StartEngine,
) -> None:
    sandbox.flood.limits = FloodLimits.off()  # the point here is claims, not pacing
    users = list(range(3001, 3051))
    open_chats(sandbox, *users)
    ids = await factory.reminders([(user, -MINUTE) for user in users for _ in range(10)])
    other_pool = create_engine(database_url)  # the second worker's own connections
    try:
        fast = {
            "batch_size": 50,
            "global_per_second": 1000.0,
            "per_chat_per_second": 1000.0,
            "max_in_flight": 8,
        }
        first, second = await asyncio.gather(
            start_engine(**fast), start_engine(on=create_sessionmaker(other_pool), **fast)
        )
        await wait_for_sends(sandbox, len(ids), timeout=30.0)
        await asyncio.gather(first.sweep(), second.sweep())
        await asyncio.sleep(0.3)  # room for a duplicate to show up
        await first.stop()
        await second.stop()
    finally:
        await other_pool.dispose()

    counts = Counter(sent_ids(sandbox))
    assert sorted(counts) == sorted(ids)
    assert set(counts.values()) == {1}
    assert first.stats["claimed"] > 0
    assert second.stats["claimed"] > 0
    assert first.stats["claimed"] + second.stats["claimed"] == len(ids)


# -- kill -9 ----------------------------------------------------------------------------


@dataclass
class EngineProcess:
    """`python -m tests.reminders.engine_process` against the sandbox and a database."""

    database_url: str
    api_base: str
    log_path: Path
    lease: float = 1.0
    sweep: float = 0.2
    clock_file: Path | None = None

    async def start(self) -> asyncio.subprocess.Process:
        stepped = ["--clock-file", str(self.clock_file)] if self.clock_file else []
        with self.log_path.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.reminders.engine_process",
                "--database-url",
                self.database_url,
                "--api-base",
                self.api_base,
                "--lease",
                str(self.lease),
                "--sweep",
                str(self.sweep),
                *stepped,
                cwd=REPOSITORY,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        return process

    async def start_ready(self) -> asyncio.subprocess.Process:
        process = await self.start()
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=20.0)
        assert line.strip() == b"ready", self.log_tail()
        return process

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


@dataclass
class KillPlan:
    seed: int
    reminders: int
    spread_seconds: float
    kill_seconds: float  # how long processes keep being killed
    min_kills: int = 3  # …and at least this many times, however slow start-up is


async def run_kill_loop(
    sandbox: Sandbox, factory: Factory, process: EngineProcess, plan: KillPlan
) -> tuple[int, dict[int, list[str]]]:
    """Reminders fall due while engine processes are killed with SIGKILL at random
    moments and restarted; then one last process runs until everything due is settled.
    Returns the number of kills and, per reminder, the texts the sandbox delivered."""
    rng = random.Random(plan.seed)
    users = list(range(4001, 4001 + plan.reminders))  # one chat each: 1 msg/s per chat
    open_chats(sandbox, *users)
    due_in = [timedelta(seconds=rng.uniform(0, plan.spread_seconds)) for _ in users]
    await factory.reminders(list(zip(users, due_in, strict=True)))

    kills, started = 0, time.monotonic()
    # Counted, not only timed: on a loaded machine a start-up can take most of the time.
    while kills < plan.min_kills or time.monotonic() - started < plan.kill_seconds:
        running = await process.start_ready()
        await asyncio.sleep(rng.uniform(0.05, 1.0))
        running.send_signal(signal.SIGKILL)
        await running.wait()
        kills += 1

    last = await process.start_ready()
    try:
        await _wait_until_all_due_sent(factory, timeout=process.lease + 20.0)
        await asyncio.sleep(0.3)  # let a stray duplicate show up before counting
    finally:
        last.send_signal(signal.SIGTERM)
        await asyncio.wait_for(last.wait(), timeout=20.0)
    texts: dict[int, list[str]] = {}
    for call in reminder_sends(sandbox):
        texts.setdefault(reminder_id(call), []).append(str(call.params["text"]))
    return kills, texts


async def _wait_until_all_due_sent(factory: Factory, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        rows = (await factory.rows()).values()
        now = factory.clock()
        if all(row.status == ReminderStatus.SENT for row in rows if row.due_at <= now) and all(
            row.due_at <= now for row in rows
        ):
            return
        if time.monotonic() > deadline:
            unsettled = [(r.id, r.status) for r in rows if r.status != ReminderStatus.SENT]
            raise AssertionError(f"not delivered in time: {unsettled}")
        await asyncio.sleep(0.1)


async def assert_at_least_once_with_visible_repeats(
    factory: Factory, sandbox: Sandbox, texts: dict[int, list[str]]
) -> None:
    rows = await factory.rows()
    now = factory.clock()
    due = {reminder for reminder, row in rows.items() if row.due_at <= now}
    never = sorted(due - set(texts))
    assert not never, f"reminders never delivered: {never}"
    for reminder, delivered in texts.items():
        if len(delivered) > 1:
            assert rows[reminder].in_doubt, f"#{reminder} sent {len(delivered)}x, not in doubt"
            assert len(delivered) == 2, f"#{reminder} sent {len(delivered)} times"
            assert REPEAT_MARK in delivered[1], f"#{reminder}: the resend is not marked"
    assert flood_answers(sandbox) == []


@pytest.fixture
def engine_process(database_url: str, sandbox: Sandbox, tmp_path: Path) -> EngineProcess:
    return EngineProcess(database_url, sandbox.base_url, tmp_path / "engine.log")


@pytest.mark.process
async def test_kill_9_at_random_moments_loses_no_reminder(
    sandbox: Sandbox, factory: Factory, engine_process: EngineProcess
) -> None:
    plan = KillPlan(seed=1688, reminders=50, spread_seconds=4.0, kill_seconds=6.0)
    kills, texts = await run_kill_loop(sandbox, factory, engine_process, plan)
    assert kills >= 3
    await assert_at_least_once_with_visible_repeats(factory, sandbox, texts)
    repeats = sum(len(delivered) - 1 for delivered in texts.values())
    print(f"{kills} kills, {repeats} repeat(s) of {plan.reminders} reminders")


@pytest.mark.soak
@pytest.mark.skipif(os.environ.get("RUN_SOAK") != "1", reason="set RUN_SOAK=1 for the soak")
@pytest.mark.process
async def test_soak_kill_9_for_minutes_loses_no_reminder(
    sandbox: Sandbox, factory: Factory, engine_process: EngineProcess
) -> None:
    minutes = float(os.environ.get("SOAK_MINUTES", "3"))
    plan = KillPlan(
        seed=int(os.environ.get("SOAK_SEED", "2026")),
        reminders=600,
        spread_seconds=minutes * 60 * 0.8,
        kill_seconds=minutes * 60,
    )
    kills, texts = await run_kill_loop(sandbox, factory, engine_process, plan)
    await assert_at_least_once_with_visible_repeats(factory, sandbox, texts)
    repeats = sum(len(delivered) - 1 for delivered in texts.values())
    print(f"soak: {kills} kills, {repeats} repeat(s) of {plan.reminders} reminders")


# -- one process per SQLite file -------------------------------------------------------


def test_a_second_instance_lock_on_the_same_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    with acquire_instance_lock(database):
        with pytest.raises(InstanceAlreadyRunningError) as refused:
            acquire_instance_lock(database)
        message = str(refused.value)
        assert str(database) in message
        assert f"pid {os.getpid()}" in message
    acquire_instance_lock(database).release()  # free again once released


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.process
async def test_a_second_sqlite_bot_process_refuses_to_start_until_the_first_dies(
    engine_process: EngineProcess,
) -> None:
    first = await engine_process.start_ready()
    try:
        second = await engine_process.start()
        assert await asyncio.wait_for(second.wait(), timeout=20.0) != 0
        assert "already using" in engine_process.log_tail()
    finally:
        first.send_signal(signal.SIGKILL)  # the kernel releases the lock of a killed process
        await first.wait()
    third = await engine_process.start_ready()
    third.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(third.wait(), timeout=20.0) == 0
