"""The sweep survives wall-clock steps of ±4 h: it is timed on the event loop's monotonic
clock and the database's due times, never on wall-clock arithmetic that assumes time only
moves forward.

PTB's JobQueue (APScheduler) reads the machine's wall clock; `scheduler_wall_clock` makes
it read the test's clock instead, so a `clock.jump` is a step of the whole machine's clock
as NTP or an operator would make it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime, timedelta, tzinfo

import apscheduler.schedulers.base  # type: ignore[import-untyped]
import pytest
from sqlalchemy import update
from telegram.ext import JobQueue

from bot.db.models import Reminder, ReminderStatus
from bot.sandbox.server import Sandbox

from .conftest import (
    REPEAT_MARK,
    Factory,
    Sessions,
    StartEngine,
    TestClock,
    open_chats,
    reminder_sends,
    sent_ids,
    wait_for_sends,
)

HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


@pytest.fixture
def scheduler_wall_clock(clock: TestClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """APScheduler and PTB's JobQueue read `clock` as the machine's wall clock."""

    class SteppedDatetime(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> SteppedDatetime:
            moment = clock.now().astimezone(tz)
            return cls.combine(moment.date(), moment.timetz())

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", SteppedDatetime)
    monkeypatch.setattr(
        JobQueue, "_tz_now", lambda self: clock.now().astimezone(self.scheduler.timezone)
    )


async def test_a_backward_clock_step_does_not_stop_the_sweep(
    sandbox: Sandbox,
    factory: Factory,
    clock: TestClock,
    start_engine: StartEngine,
    scheduler_wall_clock: None,
) -> None:
    """Bug: after a −4 h wall-clock step no sweep ran for minutes (APScheduler's next run
    was 4 h away): a reminder due 60 s later was still pending 140 s past its due time.
    Shortened: sweeps every second, a reminder due 2 s after the step."""
    open_chats(sandbox, 701)
    engine = await start_engine(sweep_seconds=1.0)
    await engine.sweep()

    clock.jump(-4 * HOUR)
    # Written as another process would: the engine learns of it only by sweeping.
    reminder = await factory.reminder(701, 2 * SECOND)
    started = time.monotonic()

    assert await wait_for_sends(sandbox, 1, timeout=10.0) == [reminder]
    assert time.monotonic() - started < 2 + engine.config.sweep_seconds + 1.5


async def test_a_forward_clock_step_sends_each_due_reminder_once_and_keeps_sweeping(
    sandbox: Sandbox,
    factory: Factory,
    clock: TestClock,
    start_engine: StartEngine,
    scheduler_wall_clock: None,
) -> None:
    users = list(range(711, 731))
    open_chats(sandbox, *users)
    ids = await factory.reminders([(user, HOUR * (1 + i / 10)) for i, user in enumerate(users)])
    engine = await start_engine(sweep_seconds=1.0)
    await engine.sweep()
    assert sent_ids(sandbox) == []

    clock.jump(4 * HOUR)
    await wait_for_sends(sandbox, len(ids), timeout=20.0)
    later = await factory.reminder(users[0], 2 * SECOND)  # the sweeps go on at their pace
    await wait_for_sends(sandbox, len(ids) + 1, timeout=10.0)

    counts = Counter(sent_ids(sandbox))
    assert sorted(counts) == sorted([*ids, later])
    assert set(counts.values()) == {1}
    assert not any(REPEAT_MARK in str(call.params["text"]) for call in reminder_sends(sandbox))
    assert engine.stats["reclaimed"] == 0


async def _claimed_by_a_dead_process(sessions: Sessions, reminder: int, until: datetime) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(Reminder)
            .where(Reminder.id == reminder)
            .values(
                status=ReminderStatus.SENDING,
                claim_token="dead-process",
                lease_until=until,
                attempts=1,
            )
        )


@pytest.mark.parametrize("step", [-4 * HOUR, 4 * HOUR], ids=["back", "forward"])
async def test_a_dead_process_claim_comes_back_after_one_lease_whatever_the_clock_did(
    sandbox: Sandbox,
    factory: Factory,
    sessions: Sessions,
    clock: TestClock,
    start_engine: StartEngine,
    step: timedelta,
) -> None:
    """A process killed holding a claim: its lease ends by the wall clock, which a step
    back of 4 h would push 4 h away. The engine also times the lease on the monotonic
    clock, so the row comes back after one lease either way, sent once more as a repeat."""
    open_chats(sandbox, 741)
    # The lease as the dead process wrote it, 2 s ahead of its clock; then the step.
    lease_until = clock.now() + 2 * SECOND
    clock.jump(step)
    reminder = await factory.reminder(741, -SECOND)  # due by the clock as it reads now
    await _claimed_by_a_dead_process(sessions, reminder, lease_until)
    started = time.monotonic()
    engine = await start_engine(sweep_seconds=0.5, lease_seconds=2.0)

    await wait_for_sends(sandbox, 1, timeout=10.0)
    elapsed = time.monotonic() - started
    assert sent_ids(sandbox) == [reminder]
    assert REPEAT_MARK in str(reminder_sends(sandbox)[0].params["text"])
    assert elapsed < 2.0 + 0.5 + 1.5
    await asyncio.sleep(0)
    assert engine.stats["reclaimed"] == 1


async def test_a_retry_set_before_a_backward_step_is_not_put_off_by_hours(
    sandbox: Sandbox,
    factory: Factory,
    sessions: Sessions,
    clock: TestClock,
    start_engine: StartEngine,
) -> None:
    """A reminder due hours ago, backing off for 3 s after a failed send: the clock goes
    back 4 h, and its retry must not wait 4 h + 3 s."""
    open_chats(sandbox, 751)
    reminder = await factory.reminder(751, -5 * HOUR)
    async with sessions.begin() as session:
        await session.execute(
            update(Reminder)
            .where(Reminder.id == reminder)
            .values(next_attempt_at=clock.now() + 3 * SECOND, attempts=1)
        )
    clock.jump(-4 * HOUR)
    await start_engine(sweep_seconds=0.5)

    assert await wait_for_sends(sandbox, 1, timeout=5.0) == [reminder]
