"""Fixtures for the reminder engine: a database per test, a controllable clock, a tiny
factory for users/orders/reminders, and engines that talk to the sandbox over HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, ApplicationBuilder

from bot.clock import ShiftedClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrations import upgrade_to_head
from bot.db.models import Order, Reminder, ReminderStatus, User
from bot.domain.escrow import OrderState, stage_kind
from bot.reminders.engine import EngineConfig, ReminderEngine, RenderedReminder, RenderReminder
from bot.reminders.store import ReminderRow
from bot.sandbox.server import RecordedCall, Sandbox
from tests.conftest import BOT_TOKEN
from tests.db.databases import (
    migrated_postgres_database,
    sqlite_file_url,
)

Sessions = async_sessionmaker[AsyncSession]
ADMIN_ID = 42
REPEAT_MARK = "(repeat)"
_REMINDER_ID = re.compile(r"⏰ Reminder #(\d+)")
# Short times so the tests wait milliseconds, not the production minutes.
FAST = EngineConfig(
    sweep_seconds=10.0,
    lease_seconds=120.0,
    backoff_base_seconds=0.05,
    backoff_max_seconds=0.2,
    stop_timeout_seconds=5.0,
)


# -- time --------------------------------------------------------------------------------


class TestClock(ShiftedClock):
    """Real time from the moment `--at` names (or now), able to jump; callable, as the
    engine's clock is a function."""

    __test__ = False  # not a test class

    def __call__(self) -> datetime:
        return self.now()


@pytest.fixture
def clock(start_moment: datetime) -> TestClock:
    return TestClock(start_moment)


# -- databases ---------------------------------------------------------------------------


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with migrated_postgres_database() as url:
        yield url


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = sqlite_file_url(tmp_path)
    await upgrade_to_head(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database; tests using it run on SQLite and on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(db_engine: AsyncEngine) -> Sessions:
    return create_sessionmaker(db_engine)


# -- the factory -------------------------------------------------------------------------


@dataclass
class Factory:
    """Users, orders and reminders inserted directly, as the order service would."""

    sessions: Sessions
    clock: Callable[[], datetime]
    _users: set[int] = field(default_factory=set)
    _orders: int = 0

    async def reminder(
        self,
        user_id: int,
        due_in: timedelta,
        *,
        kind: str = "t-24h",
        deadline_in: timedelta | None = None,
    ) -> int:
        ids = await self.reminders([(user_id, due_in)], kind=kind, deadline_in=deadline_in)
        return ids[0]

    async def reminders(
        self,
        plan: list[tuple[int, timedelta]],
        *,
        kind: str = "t-24h",
        deadline_in: timedelta | None = None,
    ) -> list[int]:
        """One order and reminder per (user, due_in); returns reminder ids in plan order."""
        now = self.clock()
        async with self.sessions.begin() as session:
            await self.ensure_users(session, {user for user, _ in plan}, now)
            rows = []
            for user_id, due_in in plan:
                due_at = now + due_in
                deadline_at = due_at + (deadline_in or timedelta(hours=24))
                order = await self._order(session, user_id, deadline_at, now)
                rows.append(
                    Reminder(
                        order_id=order.id,
                        user_id=user_id,
                        chat_id=user_id,
                        kind=kind,
                        deadline_at=deadline_at,
                        due_at=due_at,
                        status=ReminderStatus.PENDING,
                        created_at=now,
                    )
                )
            session.add_all(rows)
            await session.flush()
            return [row.id for row in rows]

    async def stages(
        self, user_id: int, deadline_in: timedelta, offsets: list[timedelta]
    ) -> list[int]:
        """One order whose deadline is `deadline_in` away, with a `stage_<seconds>` warning
        per offset before it, as the planner writes them; returns their ids."""
        now = self.clock()
        deadline_at = now + deadline_in
        async with self.sessions.begin() as session:
            await self.ensure_users(session, {user_id}, now)
            order = await self._order(session, user_id, deadline_at, now)
            rows = [
                Reminder(
                    order_id=order.id,
                    user_id=user_id,
                    chat_id=user_id,
                    kind=stage_kind(offset),
                    deadline_at=deadline_at,
                    due_at=deadline_at - offset,
                    status=ReminderStatus.PENDING,
                    created_at=now,
                )
                for offset in offsets
            ]
            session.add_all(rows)
            await session.flush()
            return [row.id for row in rows]

    async def ensure_users(self, session: AsyncSession, user_ids: set[int], now: datetime) -> None:
        for user_id in sorted(user_ids - self._users):
            session.add(User(telegram_id=user_id, created_at=now, last_seen_at=now))
        await session.flush()
        self._users |= user_ids

    async def _order(
        self, session: AsyncSession, user_id: int, deadline_at: datetime, now: datetime
    ) -> Order:
        self._orders += 1
        order = Order(
            user_id=user_id,
            chat_id=user_id,
            label=f"order {self._orders}",
            state=OrderState.SHIPPED,
            deadline_at=deadline_at,
            created_at=now,
            updated_at=now,
        )
        session.add(order)
        await session.flush()
        return order

    async def rows(self) -> dict[int, Reminder]:
        async with self.sessions() as session:
            found = await session.scalars(select(Reminder))
            return {row.id: row for row in found}

    async def user(self, user_id: int) -> User | None:
        async with self.sessions() as session:
            return await session.get(User, user_id)


@pytest.fixture
def factory(sessions: Sessions, clock: TestClock) -> Factory:
    return Factory(sessions, clock)


# -- rendering ---------------------------------------------------------------------------


def renderer(clock: Callable[[], datetime], sessions: Sessions) -> RenderReminder:
    """What the bot's render does, reduced to what the tests check: the reminder id (so
    sends can be counted), the order label (read through the session), lateness by the
    engine's clock and the repeat marker."""

    async def render(row: ReminderRow) -> RenderedReminder | None:
        if row.kind == "obsolete":
            return None
        async with sessions() as session:
            order = await session.get(Order, row.order_id)
        assert order is not None
        overdue = row.deadline_at is not None and row.deadline_at < clock()
        late = " — deadline passed" if overdue else ""
        repeat = f" {REPEAT_MARK}" if row.in_doubt else ""
        return RenderedReminder(f"⏰ Reminder #{row.id}: {order.label}{late}{repeat}")

    return render


@pytest.fixture
def render(clock: TestClock, sessions: Sessions) -> RenderReminder:
    return renderer(clock, sessions)


# -- the sandbox side --------------------------------------------------------------------


def open_chats(sandbox: Sandbox, *user_ids: int) -> None:
    """Users who started the bot earlier (a chat exists), without queueing an update."""
    for user_id in user_ids:
        user = sandbox.world.upsert_user(
            user_id, first_name="Ann", language_code="en", username=None
        )
        sandbox.world.private_chat(user)


def reminder_sends(sandbox: Sandbox) -> list[RecordedCall]:
    """Delivered reminder messages, in the order the sandbox accepted them."""
    return [
        call
        for call in sandbox.calls
        if call.method == "sendMessage"
        and call.ok
        and _REMINDER_ID.search(str(call.params.get("text", "")))
    ]


def sent_ids(sandbox: Sandbox) -> list[int]:
    return [reminder_id(call) for call in reminder_sends(sandbox)]


def reminder_id(call: RecordedCall) -> int:
    match = _REMINDER_ID.search(str(call.params.get("text", "")))
    assert match is not None
    return int(match.group(1))


def flood_answers(sandbox: Sandbox) -> list[RecordedCall]:
    return [call for call in sandbox.calls if call.error_code == 429]


async def wait_for_sends(sandbox: Sandbox, count: int, *, timeout: float = 15.0) -> list[int]:
    """Wait until at least `count` reminder messages were delivered."""
    await sandbox.wait_for(lambda: len(reminder_sends(sandbox)) >= count, timeout=timeout)
    return sent_ids(sandbox)


# -- engines -----------------------------------------------------------------------------


def build_telegram(
    sandbox: Sandbox, *, read_timeout: float = 5.0
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A PTB Application on the sandbox for its Bot and JobQueue: no updater, no
    AIORateLimiter (the engine's own buckets must keep within the flood limits)."""
    return (
        ApplicationBuilder()
        .token(BOT_TOKEN)
        .base_url(sandbox.api_base_url)
        .base_file_url(sandbox.file_base_url)
        .updater(None)
        .read_timeout(read_timeout)
        .build()
    )


StartEngine = Callable[..., Awaitable[ReminderEngine]]


@pytest.fixture
async def start_engine(
    sandbox: Sandbox, sessions: Sessions, clock: TestClock, render: RenderReminder
) -> AsyncIterator[StartEngine]:
    """Start engines on the sandbox: `await start_engine(config=..., read_timeout=...)`."""
    started: list[tuple[ReminderEngine, Application[Any, Any, Any, Any, Any, Any]]] = []
    open_chats(sandbox, ADMIN_ID)

    async def start(
        config: EngineConfig = FAST,
        *,
        read_timeout: float = 5.0,
        on: Sessions | None = None,
        renderer: RenderReminder | None = None,
        **overrides: Any,
    ) -> ReminderEngine:
        application = build_telegram(sandbox, read_timeout=read_timeout)
        await application.initialize()
        await application.start()
        engine = ReminderEngine(
            on or sessions,
            application.bot,
            renderer or render,
            _with(config, overrides),
            clock=clock,
            admin_ids={ADMIN_ID},
        )
        started.append((engine, application))
        await engine.start(application.job_queue)
        return engine

    yield start
    for engine, application in reversed(started):
        await engine.stop()
        await application.stop()
        await application.shutdown()


def _with(config: EngineConfig, overrides: dict[str, Any]) -> EngineConfig:
    from dataclasses import replace

    return replace(config, **overrides)
