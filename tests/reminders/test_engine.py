"""The reminder engine against the sandbox: what is sent, when, and what each Telegram
answer does to the row."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.config import sqlite_file
from bot.db.engine import SQLITE_BUSY_TIMEOUT_MS
from bot.db.models import Reminder, ReminderStatus, User
from bot.reminders.engine import (
    STOP_GRACE_SECONDS,
    EngineConfig,
    RenderedReminder,
    RenderReminder,
)
from bot.reminders.sending import SendOutcome, classify_send_error, describe_error
from bot.reminders.store import (
    ReminderRow,
    claim_due,
    count_by_status,
    deadlines_missed,
    mark_sent,
    reclaim_expired,
)
from bot.sandbox.server import Sandbox

from .conftest import (
    ADMIN_ID,
    FAST,
    REPEAT_MARK,
    Factory,
    Sessions,
    StartEngine,
    TestClock,
    flood_answers,
    open_chats,
    reminder_sends,
    sent_ids,
    wait_for_sends,
)

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
# What stop() may take with FAST's stop_timeout_seconds: the shared budget, a grace for
# each step past it, and one SQLite busy wait a cancelled statement still finishes.
STOP_BOUND = (
    FAST.stop_timeout_seconds + 3 * STOP_GRACE_SECONDS + SQLITE_BUSY_TIMEOUT_MS / 1000 + 1.0
)


async def settle(engine_sweeps: int = 1) -> None:
    """Give already-started work a moment (no new work is expected to appear)."""
    for _ in range(engine_sweeps):
        await asyncio.sleep(0.2)


# -- the happy path ------------------------------------------------------------------------


async def test_due_reminders_are_sent_once_in_due_order_and_marked(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    users = [501, 502, 503, 504, 505]
    open_chats(sandbox, *users, 506)
    # Inserted out of order: the engine must order by due time, not by id.
    due = [-3 * MINUTE, -10 * MINUTE, -1 * MINUTE, -30 * MINUTE, -5 * MINUTE]
    ids = await factory.reminders(list(zip(users, due, strict=True)))
    future = await factory.reminder(506, HOUR)

    engine = await start_engine(max_in_flight=1)
    await wait_for_sends(sandbox, len(ids))
    await engine.sweep()  # a further sweep finds nothing more to send
    await settle()

    by_due = [reminder for _, reminder in sorted(zip(due, ids, strict=True))]
    assert sent_ids(sandbox) == by_due
    rows = await factory.rows()
    for call in reminder_sends(sandbox):
        row = rows[int(call.params["text"].split("#")[1].split(":")[0])]
        assert row.status == ReminderStatus.SENT
        assert row.tg_message_id == call.result["message_id"]
        assert row.sent_at is not None
        assert row.attempts == 1
        assert not row.in_doubt
        assert row.claim_token is None
    assert rows[future].status == ReminderStatus.PENDING
    assert rows[future].attempts == 0
    assert flood_answers(sandbox) == []


async def test_a_late_reminder_is_still_sent_and_told_it_is_late(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    open_chats(sandbox, 511)
    # Due three days ago, deadline one day ago: the bot was down for days.
    reminder = await factory.reminder(511, -3 * 24 * HOUR, deadline_in=timedelta(days=2))
    await start_engine()
    await wait_for_sends(sandbox, 1)
    text = reminder_sends(sandbox)[0].params["text"]
    assert f"#{reminder}" in text
    assert "deadline passed" in text
    await _wait_rows(factory, lambda rows: rows[reminder].status == ReminderStatus.SENT)


async def test_a_reminder_render_declines_is_cancelled_not_sent(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    open_chats(sandbox, 521)
    obsolete = await factory.reminder(521, -MINUTE, kind="obsolete")
    kept = await factory.reminder(521, -2 * MINUTE)
    await start_engine()
    await wait_for_sends(sandbox, 1)
    rows = await _wait_rows(
        factory, lambda rows: rows[obsolete].status == ReminderStatus.CANCELLED
    )
    assert rows[kept].status == ReminderStatus.SENT
    assert sent_ids(sandbox) == [kept]


async def test_a_reminder_due_before_the_next_sweep_wakes_the_engine(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    open_chats(sandbox, 531)
    engine = await start_engine(sweep_seconds=10.0)
    await _wait_until(lambda: engine.stats["sweeps"] >= 1)  # it ran and found nothing
    reminder = await factory.reminder(531, timedelta(seconds=0.5))
    committed = time.monotonic()
    engine.note_new_due((await factory.rows())[reminder].due_at)

    await wait_for_sends(sandbox, 1, timeout=8.0)
    elapsed = time.monotonic() - committed
    # Not before it is due, and long before the sweep ten seconds later would have found
    # it (the margin is for a loaded machine, not a speed target).
    assert 0.4 <= elapsed < 5.0, f"arrived after {elapsed:.2f} s"
    assert sent_ids(sandbox) == [reminder]


# -- Telegram's answers --------------------------------------------------------------------


async def test_flood_control_waits_as_told_without_storms_or_counting_attempts(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    users = list(range(541, 547))
    open_chats(sandbox, *users)
    ids = await factory.reminders([(user, -MINUTE * n) for n, user in enumerate(users, 1)])
    sandbox.inject_fault("sendMessage", 429, count=2, retry_after=1)

    # One send at a time: with several in flight, a request already on its way when the
    # 429 came back may arrive during the wait on a loaded machine, which says nothing
    # about what the engine does once it knows.
    await start_engine(max_in_flight=1)
    await wait_for_sends(sandbox, len(ids))
    rows = await _wait_rows(
        factory, lambda rows: all(r.status == ReminderStatus.SENT for r in rows.values())
    )

    assert sorted(sent_ids(sandbox)) == sorted(ids)  # each exactly once
    refused = flood_answers(sandbox)
    assert len(refused) == 2  # the injected ones; our own pacing provoked none
    resumed = min(call.time for call in reminder_sends(sandbox) if call.time > refused[0].time)
    assert resumed - refused[0].time >= 0.95  # nothing went out during the wait
    assert all(row.attempts == 1 for row in rows.values())


async def test_a_user_who_blocked_the_bot_is_paused_then_resumed_with_late_reminders(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    open_chats(sandbox, 551, 552)
    blocked = await factory.reminders([(551, -3 * MINUTE), (551, -2 * MINUTE)])
    upcoming = await factory.reminder(551, HOUR)
    other = await factory.reminder(552, -MINUTE)
    sandbox.block(551)

    engine = await start_engine()
    await wait_for_sends(sandbox, 1)
    rows = await _wait_rows(
        factory,
        lambda rows: (
            rows[blocked[1]].status == ReminderStatus.PAUSED
            and rows[other].status == ReminderStatus.SENT
        ),
    )
    assert [rows[i].status for i in (*blocked, upcoming)] == [ReminderStatus.PAUSED] * 3
    user = await factory.user(551)
    assert user is not None
    assert user.blocked
    attempts_to_blocked = [c for c in sandbox.calls if c.params.get("chat_id") in (551, "551")]
    assert [c.error_code for c in attempts_to_blocked] == [403]  # and nothing after it

    await sandbox.send_text(551, "/start")  # writing again lifts the block
    assert (await engine.resume_user(551)).count == 3
    await wait_for_sends(sandbox, 3)
    rows = await _wait_rows(factory, lambda rows: rows[blocked[1]].status == ReminderStatus.SENT)
    assert sorted(sent_ids(sandbox)) == sorted([other, *blocked])
    assert rows[upcoming].status == ReminderStatus.PENDING


async def test_a_user_who_writes_again_while_a_403_is_on_its_way_is_not_paused(
    sandbox: Sandbox,
    factory: Factory,
    sessions: Sessions,
    clock: TestClock,
    start_engine: StartEngine,
) -> None:
    """The 403 was answered, but the user wrote to the bot (and their resume ran) before
    the engine paused them: pausing then would hold their reminders until they write once
    more. Their message after the attempt hands the row back instead."""
    open_chats(sandbox, 571)
    reminder = await factory.reminder(571, -MINUTE)
    sandbox.block(571)
    async with sessions.begin() as session:
        user = await session.get(User, 571)
        assert user is not None
        user.last_seen_at = clock.now() + 2 * timedelta(seconds=1)  # during the attempt

    engine = await start_engine(sweep_seconds=0.5)
    await sandbox.wait_for(lambda: any(c.error_code == 403 for c in sandbox.calls))
    sandbox.unblock(571)

    assert await wait_for_sends(sandbox, 1) == [reminder]
    rows = await _wait_rows(factory, lambda rows: rows[reminder].status == ReminderStatus.SENT)
    assert rows[reminder].attempts == 1  # the 403s were not counted
    assert engine.stats["paused"] == 0
    stored = await factory.user(571)
    assert stored is not None
    assert not stored.blocked


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_back_off_then_deliver_once(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine, status: int
) -> None:
    open_chats(sandbox, 561)
    reminder = await factory.reminder(561, -MINUTE)
    sandbox.inject_fault("sendMessage", status, count=2)
    await start_engine()
    await wait_for_sends(sandbox, 1)
    row = (await _wait_rows(factory, lambda rows: rows[reminder].status == ReminderStatus.SENT))[
        reminder
    ]
    assert sent_ids(sandbox) == [reminder]
    assert REPEAT_MARK not in reminder_sends(sandbox)[0].params["text"]
    assert row.attempts == 3
    assert not row.in_doubt
    failures = [c for c in sandbox.calls if c.error_code == status]
    assert len(failures) == 2


async def test_a_timeout_after_the_request_went_out_resends_once_as_a_repeat(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    open_chats(sandbox, 571)
    reminder = await factory.reminder(571, -MINUTE)
    # Telegram delivers, but answers after the bot stopped waiting.
    sandbox.inject_fault("sendMessage", 200, delay=1.0)
    await start_engine(read_timeout=0.3)

    await wait_for_sends(sandbox, 2)
    row = (await _wait_rows(factory, lambda rows: rows[reminder].status == ReminderStatus.SENT))[
        reminder
    ]
    await settle(3)
    texts = [call.params["text"] for call in reminder_sends(sandbox)]
    assert sent_ids(sandbox) == [reminder, reminder]  # the original, and one repeat
    assert sum(REPEAT_MARK in text for text in texts) == 1
    assert row.in_doubt
    assert row.attempts == 2


async def test_a_bad_request_fails_the_reminder_and_alerts_the_admins(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    open_chats(sandbox, 581, 582)
    broken = await factory.reminder(581, -2 * MINUTE)
    fine = await factory.reminder(582, -MINUTE)
    sandbox.inject_fault(
        "sendMessage", 400, description="Bad Request: can't parse entities: <b> not closed"
    )
    await start_engine(max_in_flight=1)

    alert = await sandbox.wait_for_bot_message(ADMIN_ID, after=0, timeout=5.0)
    rows = await _wait_rows(factory, lambda rows: rows[fine].status == ReminderStatus.SENT)
    assert rows[broken].status == ReminderStatus.FAILED
    assert "parse entities" in (rows[broken].last_error or "")
    assert alert.text is not None
    assert f"reminder #{broken}" in alert.text
    assert "parse entities" in alert.text
    assert sent_ids(sandbox) == [fine]


async def test_exhausted_attempts_fail_the_reminder_and_alert(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    open_chats(sandbox, 591)
    reminder = await factory.reminder(591, -MINUTE)
    sandbox.inject_fault("sendMessage", 500, count=3)
    await start_engine(max_attempts=3)
    alert = await sandbox.wait_for_bot_message(ADMIN_ID, after=0, timeout=5.0)
    row = (await factory.rows())[reminder]
    assert row.status == ReminderStatus.FAILED
    assert row.attempts == 3
    assert alert.text is not None
    assert "gave up after 3 attempts" in alert.text
    assert sent_ids(sandbox) == []


async def test_a_render_that_raises_is_retried_and_never_stops_the_engine(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine, render: RenderReminder
) -> None:
    open_chats(sandbox, 595, 596)
    flaky = await factory.reminder(595, -2 * MINUTE)
    broken = await factory.reminder(596, -MINUTE, kind="broken")
    failures: Counter[int] = Counter()

    async def render_with_bugs(row: ReminderRow) -> RenderedReminder | None:
        failures[row.id] += 1
        if row.kind == "broken" or failures[row.id] == 1:
            raise KeyError("missing catalogue text")
        return await render(row)

    await start_engine(renderer=render_with_bugs, max_attempts=3)
    alert = await sandbox.wait_for_bot_message(ADMIN_ID, after=0, timeout=5.0)
    rows = await _wait_rows(factory, lambda rows: rows[flaky].status == ReminderStatus.SENT)
    assert sent_ids(sandbox) == [flaky]
    assert rows[broken].status == ReminderStatus.FAILED
    assert "render: KeyError" in (rows[broken].last_error or "")
    assert f"reminder #{broken}" in (alert.text or "")


def test_errors_are_classified_by_whether_the_message_may_have_arrived() -> None:
    def caused(error: NetworkError, cause: Exception) -> NetworkError:
        error.__cause__ = cause
        return error

    request = httpx.Request("POST", "http://127.0.0.1/bot1:x/sendMessage")
    cases = {
        SendOutcome.FLOOD: RetryAfter(3),
        SendOutcome.BLOCKED: Forbidden("Forbidden: bot was blocked by the user"),
        SendOutcome.REJECTED: BadRequest("Bad Request: chat not found"),
        SendOutcome.NOT_SENT: caused(NetworkError("x"), httpx.ConnectError("refused")),
        SendOutcome.IN_DOUBT: caused(TimedOut(), httpx.ReadTimeout("slow", request=request)),
    }
    for expected, error in cases.items():
        assert classify_send_error(error) is expected, error
    assert (
        classify_send_error(caused(TimedOut(), httpx.ConnectTimeout("x"))) is SendOutcome.NOT_SENT
    )
    assert classify_send_error(caused(TimedOut(), httpx.PoolTimeout("x"))) is SendOutcome.NOT_SENT
    assert classify_send_error(caused(NetworkError("x"), httpx.RemoteProtocolError("x"))) is (
        SendOutcome.IN_DOUBT
    )
    assert classify_send_error(NetworkError("Bad Gateway")) is SendOutcome.NOT_SENT
    assert classify_send_error(InvalidToken()) is SendOutcome.NOT_SENT


def test_error_descriptions_never_carry_the_bot_token() -> None:
    error = NetworkError("httpx.ConnectError: for url https://x/bot123456:AAH-secret_x/send")
    assert "AAH-secret" not in describe_error(error)


# -- crash recovery and fencing --------------------------------------------------------


async def test_a_claim_whose_owner_died_is_reclaimed_in_doubt_and_sent_again(
    sandbox: Sandbox,
    factory: Factory,
    sessions: Sessions,
    clock: TestClock,
    start_engine: StartEngine,
) -> None:
    open_chats(sandbox, 601)
    reminder = await factory.reminder(601, -MINUTE)
    async with sessions.begin() as session:  # a process claims the row, then dies
        claims = await claim_due(session, clock(), limit=10, token="dead", lease=MINUTE)
    assert [claim.row.id for claim in claims] == [reminder]

    engine = await start_engine()
    await engine.sweep()
    assert sent_ids(sandbox) == []  # the lease still protects the row
    clock.jump(MINUTE + timedelta(seconds=1))
    engine.wake()

    await wait_for_sends(sandbox, 1)
    row = (await _wait_rows(factory, lambda rows: rows[reminder].status == ReminderStatus.SENT))[
        reminder
    ]
    assert REPEAT_MARK in reminder_sends(sandbox)[0].params["text"]
    assert row.in_doubt
    assert row.attempts == 2
    assert engine.stats["reclaimed"] == 1


async def test_a_process_that_died_after_sending_repeats_once_marked_as_repeat(
    sandbox: Sandbox,
    factory: Factory,
    clock: TestClock,
    start_engine: StartEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    open_chats(sandbox, 611)
    reminder = await factory.reminder(611, -MINUTE)
    dying = await start_engine()

    died = asyncio.Event()

    async def die(*_args: object) -> None:
        died.set()
        raise ProcessDied  # the process ends between Telegram's answer and the mark

    monkeypatch.setattr(dying, "_write", die)
    await asyncio.wait_for(died.wait(), timeout=5.0)
    deliveries = list(dying._deliveries)  # collect the "dead" task's ProcessDied
    await asyncio.gather(*deliveries, return_exceptions=True)
    monkeypatch.undo()
    assert (await factory.rows())[reminder].status == ReminderStatus.SENDING

    clock.jump(FAST_LEASE_AND_A_BIT)
    survivor = await start_engine()
    await wait_for_sends(sandbox, 2)
    row = (await _wait_rows(factory, lambda rows: rows[reminder].status == ReminderStatus.SENT))[
        reminder
    ]
    texts = [call.params["text"] for call in reminder_sends(sandbox)]
    assert REPEAT_MARK not in texts[0]
    assert REPEAT_MARK in texts[1]
    assert row.in_doubt
    assert survivor.stats["reclaimed"] == 1


FAST_LEASE_AND_A_BIT = timedelta(seconds=121)


class ProcessDied(BaseException):
    """Not an Exception: nothing in the engine may catch it, as nothing survives a kill."""


async def test_a_late_owner_cannot_overwrite_the_new_claim(
    factory: Factory, sessions: Sessions, clock: TestClock
) -> None:
    reminder = await factory.reminder(621, -MINUTE)
    async with sessions.begin() as session:
        (old,) = await claim_due(session, clock(), limit=1, token="old", lease=MINUTE)
    clock.jump(2 * MINUTE)
    async with sessions.begin() as session:
        assert await reclaim_expired(session, clock()) == [reminder]
        (new,) = await claim_due(session, clock(), limit=1, token="new", lease=MINUTE)
    async with sessions.begin() as session:
        assert (await session.scalars(mark_sent(new, 77, clock()))).all() == [reminder]
    async with sessions.begin() as session:  # the old owner wakes up and tries to mark
        assert (await session.scalars(mark_sent(old, 66, clock()))).all() == []
    row = (await factory.rows())[reminder]
    assert (row.status, row.tg_message_id, row.in_doubt) == (ReminderStatus.SENT, 77, True)


async def test_stop_hands_queued_rows_back_unsent_and_not_in_doubt(
    sandbox: Sandbox, factory: Factory, start_engine: StartEngine
) -> None:
    users = list(range(631, 641))
    open_chats(sandbox, *users)
    await factory.reminders([(user, -MINUTE) for user in users])
    sandbox.inject_fault("sendMessage", 200, count=1, delay=0.5)
    engine = await start_engine(max_in_flight=1, global_per_second=2.0)
    await wait_for_sends(sandbox, 1)
    await engine.stop()

    rows = (await factory.rows()).values()
    sent = [row for row in rows if row.status == ReminderStatus.SENT]
    pending = [row for row in rows if row.status == ReminderStatus.PENDING]
    assert len(sent) + len(pending) == len(users)
    assert pending, "the slow sender should have left rows queued"
    assert all(row.attempts == 0 and not row.in_doubt for row in pending)
    assert len(sent_ids(sandbox)) == len(sent)


class SlowSweeps:
    """The engine's sessions, with its sweeps held at the database until `go` is set, as
    behind a SQLite file another process has locked."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self.held = asyncio.Event()
        self.go = asyncio.Event()
        self.armed = False

    def __call__(self, **kwargs: Any) -> AsyncSession:
        return self._sessions(**kwargs)

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        task = asyncio.current_task()
        if self.armed and task is not None and task.get_name() == "reminder-wake":
            self.armed = False
            self.held.set()
            await self.go.wait()
        async with self._sessions.begin() as session:
            yield session


async def test_stop_while_a_sweep_waits_for_the_database_still_stops(
    sandbox: Sandbox,
    factory: Factory,
    sessions: Sessions,
    clock: TestClock,
    start_engine: StartEngine,
) -> None:
    open_chats(sandbox, 651, 652)
    # Two for one chat: the second waits its turn under the per-chat limit.
    await factory.reminders([(651, -MINUTE), (651, -MINUTE)])
    later = await factory.reminder(652, 10 * MINUTE)
    slow = SlowSweeps(sessions)
    engine = await start_engine(on=cast(Sessions, slow), per_chat_per_second=0.01)
    await wait_for_sends(sandbox, 1)
    slow.armed = True
    clock.jump(11 * MINUTE)
    engine.wake()
    await slow.held.wait()  # the sweep is waiting for the database…

    stopping = asyncio.create_task(engine.stop())  # …when the bot is told to stop
    await asyncio.sleep(0)  # one turn of the loop: stop runs up to its wait for the sweep
    assert not engine.running
    slow.go.set()  # the database answers: the sweep hands its rows over as stop begins
    try:
        async with asyncio.timeout(STOP_BOUND):
            await stopping
    except TimeoutError:
        raise AssertionError("the engine never stopped") from None

    rows = await factory.rows()
    assert rows[later].status == ReminderStatus.PENDING  # handed back, not stranded
    assert len(reminder_sends(sandbox)) == 1  # nothing was sent after the stop


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_stop_with_the_database_locked_by_another_process_is_bounded(
    sandbox: Sandbox, factory: Factory, database_url: str, start_engine: StartEngine
) -> None:
    open_chats(sandbox, 661)
    # One goes out; the rest wait their turn under the per-chat limit, claimed.
    queued = await factory.reminders([(661, -MINUTE)] * 4)
    engine = await start_engine(per_chat_per_second=0.01)
    await wait_for_sends(sandbox, 1)
    path = sqlite_file(database_url)
    assert path is not None
    other_process = sqlite3.connect(path, timeout=0)
    other_process.execute("BEGIN IMMEDIATE")  # e.g. a backup, or a process stopped mid-write
    try:
        started = time.monotonic()
        await engine.stop()
        took = time.monotonic() - started
    finally:
        other_process.rollback()
        other_process.close()

    assert took < STOP_BOUND, f"stop took {took:.1f} s"
    rows = await factory.rows()
    # Left claimed: they come back in doubt after their lease, never lost.
    assert {rows[i].status for i in queued} <= {ReminderStatus.SENT, ReminderStatus.SENDING}
    assert len(reminder_sends(sandbox)) == 1


# -- memory and start-up ---------------------------------------------------------------


async def test_start_reads_nothing_and_a_sweep_does_not_grow_with_the_backlog(
    sandbox: Sandbox, factory: Factory, db_engine: AsyncEngine, start_engine: StartEngine
) -> None:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(db_engine.sync_engine, "before_cursor_execute", record)
    engine = await start_engine(sweep_seconds=3600)
    assert not [s for s in statements if "reminders" in s], "start() must not query"
    await _wait_until(lambda: engine.stats["sweeps"] >= 1)  # the start-up sweep is done

    async def sweep_statements() -> list[str]:
        statements.clear()
        await engine.sweep()
        return [s for s in statements if "reminders" in s]

    await factory.reminders([(700, HOUR)] * 10)
    small = await sweep_statements()
    await factory.reminders([(701 + n % 50, HOUR + n * MINUTE) for n in range(2000)])
    large = await sweep_statements()
    assert small == large  # the same fixed statements, whatever the backlog
    assert all("LIMIT" in s or "min(" in s.lower() or "sending" in s for s in large)
    event.remove(db_engine.sync_engine, "before_cursor_execute", record)


async def test_a_huge_due_backlog_is_claimed_one_batch_at_a_time(
    sandbox: Sandbox, factory: Factory, sessions: Sessions, start_engine: StartEngine
) -> None:
    users = list(range(800, 1100))
    open_chats(sandbox, *users)
    await factory.reminders([(user, -MINUTE) for user in users] * 3)
    sandbox.inject_fault("sendMessage", 200, count=1000, delay=0.2)  # a slow Telegram
    engine = await start_engine(batch_size=50, max_in_flight=2)
    await wait_for_sends(sandbox, 1)
    for _ in range(5):
        await engine.sweep()
        async with sessions() as session:
            claimed = (
                await session.scalars(
                    select(Reminder.id).where(Reminder.status == ReminderStatus.SENDING)
                )
            ).all()
        assert len(claimed) <= 50
        assert engine.held <= 50


# -- statistics ------------------------------------------------------------------------


async def test_counts_by_status_and_missed_deadlines(
    factory: Factory, sessions: Sessions, clock: TestClock
) -> None:
    now = clock()
    ontime, late, unsent, cancelled, _future = await factory.reminders(
        [(901, -5 * HOUR), (902, -5 * HOUR), (903, -5 * HOUR), (904, -5 * HOUR), (905, HOUR)],
        deadline_in=HOUR,
    )
    async with sessions.begin() as session:
        rows = {r.id: r for r in await session.scalars(select(Reminder))}
        rows[ontime].status, rows[ontime].sent_at = ReminderStatus.SENT, now - 4.5 * HOUR
        rows[late].status, rows[late].sent_at = ReminderStatus.SENT, now - HOUR
        rows[unsent].status = ReminderStatus.FAILED
        rows[cancelled].status = ReminderStatus.CANCELLED
    async with sessions() as session:
        counts = await count_by_status(session)
        missed = await deadlines_missed(session, now)
    assert counts == {
        ReminderStatus.PENDING: 1,
        ReminderStatus.SENDING: 0,
        ReminderStatus.SENT: 2,
        ReminderStatus.FAILED: 1,
        ReminderStatus.CANCELLED: 1,
        ReminderStatus.PAUSED: 0,
        ReminderStatus.SUPERSEDED: 0,
    }
    assert missed == 2  # the late one and the failed one


async def _wait_until(condition: Callable[[], bool], *, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def _wait_rows(
    factory: Factory, ready: Callable[[dict[int, Reminder]], bool], *, timeout: float = 10.0
) -> dict[int, Reminder]:
    """Poll the database until `ready(rows)` holds (the engine writes after sending)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = await factory.rows()
        if ready(rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(
                f"rows never became ready: {[(r.id, r.status) for r in rows.values()]}"
            )
        await asyncio.sleep(0.02)


def test_engine_config_from_settings_takes_the_sweep_interval() -> None:
    from bot.config import Settings

    settings = Settings(_env_file=None, reminder_sweep_seconds=3.5)
    config = EngineConfig.from_settings(settings, batch_size=7)
    assert (config.sweep_seconds, config.batch_size, config.lease_seconds) == (3.5, 7, 120.0)
