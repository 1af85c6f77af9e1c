"""The poller (bot/runtime/polling.py) and the claims behind it (bot/runtime/delivery.py): an
update is confirmed to Telegram only once handled, so a bot that stops abruptly or dies mid-batch
gets the rest again; one user's updates stay in order while other users' run alongside;
a copy is handled again only when the process that had it died."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrations import upgrade_to_head
from bot.db.models import ProcessedUpdate
from bot.db.processed_updates import CLAIM_LEASE
from bot.runtime.delivery import Deliveries, Outcome
from bot.runtime.lifecycle import ALLOWED_UPDATES
from bot.runtime.persistence import DurableApplication, durable
from bot.runtime.polling import polling
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, HandledUpdates

ANN, BORIS = 1001, 1002
HELP = "How I can help"
GREETING = "Hi Ann"


def answers(sandbox: Sandbox, chat_id: int, needle: str) -> int:
    return sum(needle in (message.text or "") for message in sandbox.bot_messages(chat_id))


def handed_out(sandbox: Sandbox, update_id: int) -> int:
    """How many times getUpdates gave the bot this update."""
    return sum(
        any(update["update_id"] == update_id for update in call.result or [])
        for call in sandbox.calls
        if call.method == "getUpdates" and call.ok
    )


class Gate:
    """Wraps an application's handling of each update (claim and done stay outside): holds
    chosen updates before their handlers run, and records when each one starts and ends."""

    def __init__(self, application: DurableApplication, *, hold: set[int]) -> None:
        self.events: list[tuple[str, int]] = []
        self._hold = {update_id: asyncio.Event() for update_id in hold}
        self._entered = {update_id: asyncio.Event() for update_id in hold}
        self._ended: dict[int, asyncio.Event] = {}
        handle: Callable[[object], Awaitable[None]] = application._handle

        async def gated(update: object) -> None:
            assert isinstance(update, Update)
            update_id = update.update_id
            self.events.append(("start", update_id))
            if update_id in self._hold:
                self._entered[update_id].set()
                await self._hold[update_id].wait()
            await handle(update)
            self.events.append(("end", update_id))
            self._ended_event(update_id).set()

        # An instance attribute wins over the method `deliver` looks up.
        application._handle = gated  # type: ignore[method-assign]

    async def entered(self, update_id: int) -> None:
        await asyncio.wait_for(self._entered[update_id].wait(), timeout=15)

    async def ended(self, update_id: int) -> None:
        await asyncio.wait_for(self._ended_event(update_id).wait(), timeout=15)

    def release(self, update_id: int) -> None:
        self._hold[update_id].set()

    def started(self, update_id: int) -> bool:
        return ("start", update_id) in self.events

    def _ended_event(self, update_id: int) -> asyncio.Event:
        return self._ended.setdefault(update_id, asyncio.Event())


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session on the test's database, to read what the bots left in it."""
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def give_nothing_back(self: Deliveries, update_id: int) -> None:
    return None


def gated(settings: Settings, *, hold: set[int]) -> tuple[DurableApplication, Gate]:
    application = durable(build_application(settings))
    return application, Gate(application, hold=hold)


def poll(application: Any) -> Any:
    return polling(application, allowed_updates=ALLOWED_UPDATES, timeout=1)


@pytest.mark.parametrize("how", ["stopped abruptly", "killed"])
async def test_a_batch_cut_short_is_handled_after_the_restart_each_update_once(
    settings: Settings,
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    # Sent while no bot runs: the poller gets all three in its first batch.
    ann_help = await sandbox.send_text(ANN, "/help")
    ann_start = await sandbox.send_text(ANN, "/start")
    boris_help = await sandbox.send_text(BORIS, "/help", first_name="Boris")
    batch = [ann_help["update_id"], ann_start["update_id"], boris_help["update_id"]]

    application, gate = gated(settings, hold={ann_help["update_id"]})
    # Reported once the update is marked done (its handlers finished, its state written).
    handled = HandledUpdates(application)
    with monkeypatch.context() as patched:
        if how == "killed":
            # A SIGKILL runs nothing more: the claim on Ann's /help is not given back.
            patched.setattr(Deliveries, "_release", give_nothing_back)
        async with poll(application) as poller:
            await gate.entered(ann_help["update_id"])
            await handled.wait(boris_help["update_id"])
            assert not gate.started(ann_start["update_id"]), "Ann's /start waits for her /help"
            poller.abort()
    assert answers(sandbox, ANN, HELP) == answers(sandbox, ANN, GREETING) == 0
    # While an update is in hand the poller asks again and again (Telegram keeps it).
    first_poller = [handed_out(sandbox, update_id) for update_id in batch]

    caplog.set_level(logging.INFO)
    async with poll(build_application(settings)):
        await sandbox.wait_for(lambda: answers(sandbox, ANN, GREETING) > 0, timeout=20)
        await sandbox.wait_until_settled()

    again = [handed_out(sandbox, update_id) for update_id in batch]
    assert [n > before for n, before in zip(again, first_poller, strict=True)] == [True] * 3
    assert answers(sandbox, ANN, HELP) == 1
    assert answers(sandbox, ANN, GREETING) == 1
    assert answers(sandbox, BORIS, HELP) == 1, "the copy of a handled update is dropped"
    ann = [m.text or "" for m in sandbox.bot_messages(ANN)]
    assert HELP in ann[0], "in the order Ann wrote them"
    assert GREETING in ann[-1]
    assert f"dropped update {boris_help['update_id']}" in caplog.text
    # Stopped abruptly, the cancelled handling gave its claim back itself; killed, it could
    # not, and the next poller released it at its start.
    released_at_start = "1 update(s) were being handled when the last poller stopped"
    assert (released_at_start in caplog.text) == (how == "killed")
    async with database(settings) as session:
        done = await session.scalars(
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.done_at.is_not(None))
        )
        assert sorted(done) == sorted(batch)


async def test_one_users_updates_wait_for_each_other_and_other_users_do_not(
    settings: Settings, sandbox: Sandbox
) -> None:
    ann_help = await sandbox.send_text(ANN, "/help")
    ann_start = await sandbox.send_text(ANN, "/start")
    boris_help = await sandbox.send_text(BORIS, "/help", first_name="Boris")
    first, second, other = (u["update_id"] for u in (ann_help, ann_start, boris_help))

    application, gate = gated(settings, hold={first})
    async with poll(application):
        await gate.entered(first)
        await gate.ended(other)  # Boris is answered while Ann's first message is held
        assert not gate.started(second)
        gate.release(first)
        await gate.ended(second)
        await sandbox.wait_until_settled()

    assert [event for event in gate.events if event[1] != other] == [
        ("start", first),
        ("end", first),
        ("start", second),
        ("end", second),
    ]
    assert gate.events.index(("end", other)) < gate.events.index(("end", first))
    ann = [m.text or "" for m in sandbox.bot_messages(ANN)]
    assert len(ann) == 2
    assert HELP in ann[0]
    assert GREETING in ann[1]


async def test_a_stop_finishes_the_update_in_hand_and_leaves_the_rest_with_telegram(
    settings: Settings, sandbox: Sandbox
) -> None:
    ann_help = await sandbox.send_text(ANN, "/help")
    ann_start = await sandbox.send_text(ANN, "/start")
    first, second = ann_help["update_id"], ann_start["update_id"]

    application, gate = gated(settings, hold={first})
    async with poll(application) as poller:
        await gate.entered(first)
        stopping = asyncio.create_task(poller.stop())
        await asyncio.sleep(0.3)
        assert not stopping.done(), "the stop waits for the update in hand"
        gate.release(first)
        await asyncio.wait_for(stopping, timeout=15)
    assert answers(sandbox, ANN, HELP) == 1
    assert not gate.started(second), "not started once the stop was asked for"
    before_restart = handed_out(sandbox, first)

    async with poll(build_application(settings)):
        await sandbox.wait_for(lambda: answers(sandbox, ANN, GREETING) > 0)
        await sandbox.wait_until_settled()
    assert handed_out(sandbox, first) == before_restart, "confirmed at the stop: not again"
    assert handed_out(sandbox, second) >= 2, "the stop's confirming call returns it too"
    assert answers(sandbox, ANN, HELP) == 1


async def test_a_copy_is_handled_again_only_when_its_claimer_died(
    settings: Settings, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """No poller here: the updates are handed to the application as a webhook or a second
    instance would get them, with claims other processes left in the table."""
    await upgrade_to_head(settings.database_url)
    application = durable(build_application(settings, migrate=False))
    await application.initialize()
    try:
        raw = [await sandbox.send_text(ANN, "/help") for _ in range(3)]
        sandbox.queue.drop_all()
        stale, recent, done = (update["update_id"] for update in raw)
        now = datetime.now(UTC)
        async with application.bot_data.sessions.begin() as session:
            for update_id, claimed_at, done_at in (
                (stale, now - CLAIM_LEASE - timedelta(seconds=1), None),  # its claimer died
                (recent, now - timedelta(seconds=5), None),  # being handled elsewhere
                (done, now - timedelta(seconds=5), now),  # handled
            ):
                session.add(
                    ProcessedUpdate(
                        bot_id=application.bot.id,
                        update_id=update_id,
                        received_at=claimed_at,
                        claimed_at=claimed_at,
                        done_at=done_at,
                    )
                )
        caplog.set_level(logging.INFO)

        outcomes = [
            await application.deliver(Update.de_json(update, application.bot)) for update in raw
        ]
        await sandbox.wait_until_settled()

        assert outcomes == [Outcome.HANDLED, Outcome.IN_PROGRESS, Outcome.DUPLICATE]
        assert answers(sandbox, ANN, HELP) == 1
        assert f"handling update {stale} again" in caplog.text
        async with application.bot_data.sessions() as session:
            finished = {
                update_id: done_at is not None
                for update_id, done_at in await session.execute(
                    select(ProcessedUpdate.update_id, ProcessedUpdate.done_at)
                )
            }
        assert finished == {stale: True, recent: False, done: True}, "recent: still theirs"
    finally:
        await application.shutdown()
        await application.bot_data.engine.dispose()


@pytest.mark.parametrize(
    ("status", "logged"), [(409, "Only one process may poll"), (502, "getUpdates failed")]
)
async def test_polling_rides_out_a_refused_or_failed_get_updates(
    settings: Settings,
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
    status: int,
    logged: str,
) -> None:
    ann = ChatUser(sandbox, ANN)
    async with poll(build_application(settings)):
        await sandbox.wait_for(lambda: sandbox.queue.polling)
        sandbox.inject_fault("getUpdates", status, count=2)
        sandbox.queue.release_poll()  # the waiting long poll returns; the next ones fail
        replies = await ann.says("/help")
        # Counted before the stop, whose confirming call ends the waiting long poll with a
        # 409 of its own.
        failed = [c for c in sandbox.calls if c.method == "getUpdates" and c.error_code == status]
    assert HELP in replies[0].text
    assert logged in caplog.text
    assert len(failed) == 2
