"""Reminders stay exact through the real bot: one warning per change (settings changes,
clock steps, downtime), and reminders resumed, and shown, when a user who blocked the bot
writes again. The bot, the sandbox and the test share one clock (`clock`), which the
tests step as NTP or an operator would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import BotApplication
from bot.clock import ShiftedClock
from bot.config import Settings
from bot.db.models import Reminder, ReminderStatus, User
from bot.db.scratch import temporary_postgres_database
from bot.reminders.engine import ReminderEngine
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser
from tests.db.databases import POSTGRES_SKIP_REASON, TEST_DATABASE_PREFIX, postgres_admin_url

HOUR = timedelta(hours=1)
WARNING = "the escrow will release your money"
PASSED = "the auto-confirm deadline has passed"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def settings(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Settings]:
    """Every test here runs the bot on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield settings
        return
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    async with temporary_postgres_database(admin_url, TEST_DATABASE_PREFIX) as url:
        yield settings.model_copy(update={"database_url": url})


def engine_of(bot: BotApplication) -> ReminderEngine:
    engine = bot.bot_data.reminders
    assert engine is not None
    return engine


async def rows_of(bot: BotApplication, user_id: int) -> list[Reminder]:
    async with bot.bot_data.sessions() as session:
        query = select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.id)
        return list(await session.scalars(query))


async def wait_until(probe: Callable[[], object], *, timeout: float = 15.0) -> None:
    """Poll an in-process condition (the engine's own state) until it holds."""
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def reminders_settle(bot: BotApplication, sandbox: Sandbox) -> None:
    """Sweep now and wait until the engine holds nothing: every due reminder is settled
    (sent, superseded, paused…), so any duplicate would already be in the sandbox."""
    engine = engine_of(bot)
    await engine.sweep()
    await wait_until(lambda: engine.held == 0)
    await sandbox.wait_until_settled()


def received(sandbox: Sandbox, user_id: int, needle: str) -> list[str]:
    return [
        message.text or ""
        for message in sandbox.bot_messages(user_id)
        if needle in (message.text or "")
    ]


# -- one warning per change --------------------------------------------------------------


async def test_settings_changes_never_repeat_a_warning(
    ann: ChatUser, bot: BotApplication, sandbox: Sandbox
) -> None:
    """Bug: /track 2d cups, then /quiet 23-7, /timezone Berlin, /quiet off sent four
    identical "the escrow will release your money soon" messages."""
    await ann.says("/track 2d cups")
    await ann.receives(WARNING)
    await reminders_settle(bot, sandbox)

    for change in ("/quiet 23-7", "/timezone Berlin", "/quiet off"):
        await ann.says(change)
        await reminders_settle(bot, sandbox)

    assert len(received(sandbox, ann.user_id, WARNING)) == 1
    # The stages still to come are there, once each.
    pending = [r.kind for r in await rows_of(bot, ann.user_id) if r.status == "pending"]
    assert sorted(pending) == sorted(set(pending))
    assert len(pending) == 3  # 24 h, 6 h, 1 h before the deadline


@pytest.mark.parametrize("step", [timedelta(days=2, hours=1), timedelta(days=3)])
async def test_a_clock_step_past_the_deadline_sends_one_passed_message(
    ann: ChatUser, bot: BotApplication, sandbox: Sandbox, clock: ShiftedClock, step: timedelta
) -> None:
    """Bug: after a clock step forward (or a long downtime) the 24 h, 6 h and 1 h stages
    all fell due at once: three identical "deadline passed" messages."""
    await ann.says("/track 2d cups")
    await ann.receives(WARNING)
    await reminders_settle(bot, sandbox)

    clock.jump(step)
    await reminders_settle(bot, sandbox)

    assert len(received(sandbox, ann.user_id, PASSED)) == 1
    assert len(received(sandbox, ann.user_id, WARNING)) == 1  # the first one, at /track
    statuses = [r.status for r in await rows_of(bot, ann.user_id)]
    assert statuses.count(ReminderStatus.SUPERSEDED) == 2
    assert ReminderStatus.PENDING not in statuses


async def test_missed_stages_collapse_into_one_message_saying_what_is_true_now(
    ann: ChatUser, bot: BotApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    """A downtime over the 24 h and 6 h stages, 3 h before the deadline: one message
    saying 3 h are left, not the 24 h and 6 h ones."""
    await ann.says("/track 2d cups")
    await ann.receives(WARNING)
    await reminders_settle(bot, sandbox)

    clock.jump(45 * HOUR)
    await reminders_settle(bot, sandbox)

    warnings = received(sandbox, ann.user_id, WARNING)
    assert len(warnings) == 2
    assert "3h" in warnings[-1]
    rows = await rows_of(bot, ann.user_id)
    sent = [r.kind for r in rows if r.status == ReminderStatus.SENT]
    assert sent == ["immediate", "stage_21600"]  # the 6 h stage, worded for 3 h left
    superseded = [r for r in rows if r.status == ReminderStatus.SUPERSEDED]
    assert [r.kind for r in superseded] == ["stage_86400"]
    assert [r.status for r in rows if r.kind == "stage_3600"] == [ReminderStatus.PENDING]


async def test_a_settings_change_after_a_stage_was_sent_does_not_send_it_again(
    ann: ChatUser, bot: BotApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    await ann.says("/track 2d cups")
    await ann.receives(WARNING)
    clock.jump(25 * HOUR)  # the 24 h stage falls due and goes out
    await reminders_settle(bot, sandbox)
    assert len(received(sandbox, ann.user_id, WARNING)) == 2

    for change in ("/quiet 0-23", "/timezone Tokyo", "/quiet off"):
        await ann.says(change)
        await reminders_settle(bot, sandbox)

    assert len(received(sandbox, ann.user_id, WARNING)) == 2
    rows = await rows_of(bot, ann.user_id)
    pending = sorted(r.kind for r in rows if r.status == ReminderStatus.PENDING)
    assert pending == ["stage_21600", "stage_3600"]


# -- never go quiet --------------------------------------------------------------------


async def blocked_in_database(bot: BotApplication, user_id: int) -> bool:
    async with bot.bot_data.sessions() as session:
        user = await session.get(User, user_id)
        return user is not None and user.blocked


async def test_reminders_resume_when_a_blocked_user_writes_again_and_the_plan_is_shown(
    ann: ChatUser, bot: BotApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    """Bug: remember_user read the blocked flag from the user object touch_user had just
    refreshed (blocked=False), so reminders paused by a block never resumed."""
    await ann.says("/track 2d cups")
    await ann.receives(WARNING)
    await reminders_settle(bot, sandbox)

    sandbox.block(ann.user_id)
    clock.jump(25 * HOUR)  # the 24 h stage falls due while the bot is blocked: 403
    await reminders_settle(bot, sandbox)
    assert await blocked_in_database(bot, ann.user_id)
    statuses = {r.kind: r.status for r in await rows_of(bot, ann.user_id)}
    assert statuses["stage_86400"] == ReminderStatus.PAUSED

    replies = await ann.says("/orders")  # writing again lifts the block

    await ann.receives("23h")  # the 24 h stage, late, says what is left now
    await reminders_settle(bot, sandbox)
    assert not await blocked_in_database(bot, ann.user_id)
    rows = await rows_of(bot, ann.user_id)
    assert [r.status for r in rows if r.kind == "stage_86400"] == [ReminderStatus.SENT]
    assert sorted(r.kind for r in rows if r.status == ReminderStatus.PENDING) == [
        "stage_21600",
        "stage_3600",
    ]
    assert len(received(sandbox, ann.user_id, WARNING)) == 2
    # The user is shown what comes next.
    resumed = [m.text or "" for m in replies if "reminders are on again" in (m.text or "")]
    assert len(resumed) == 1
    assert "Coming next" in resumed[0]
    assert resumed[0].count("cups") == 2  # the 6 h and the 1 h stages
    # Writing again later (not blocked any more) shows no second note.
    again = await ann.says("/orders")
    assert not any("reminders are on again" in (m.text or "") for m in again)


async def test_the_resumed_plan_is_shown_in_russian(
    boris: ChatUser, bot: BotApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    await boris.says("/track 2d чашки")
    await boris.receives("⏰")
    await reminders_settle(bot, sandbox)
    sandbox.block(boris.user_id)
    clock.jump(25 * HOUR)
    await reminders_settle(bot, sandbox)

    replies = await boris.says("/orders")

    assert any("напоминания снова включены" in (m.text or "") for m in replies)
