"""The figures behind the admin's /stats: how much the bot is used and whether it delivers.

Whole-table counts, never scoped to a user: only an admin may see them (handlers/admin.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot.clock import Clock
from bot.db import payment_checks, users
from bot.db.base import Base
from bot.db.models import Order, Reminder, ReminderStatus, SupplierCheckRecord, User
from bot.domain.escrow.states import OrderState
from bot.domain.payments.model import Verdict
from bot.reminders.store import count_by_status, deadlines_missed

ACTIVE_WINDOW = timedelta(days=7)
WAITING = (ReminderStatus.PENDING, ReminderStatus.SENDING, ReminderStatus.PAUSED)


@dataclass(frozen=True)
class BotStats:
    users_total: int
    users_active: int
    users_blocked: int
    payment_checks: dict[str, int]
    supplier_checks: int
    orders_total: int
    orders_open: int
    reminders_sent: int
    reminders_failed: int
    reminders_in_doubt: int
    reminders_waiting: int
    deadlines_missed: int

    @property
    def payment_checks_total(self) -> int:
        return sum(self.payment_checks.values())


async def collect(session: AsyncSession, now: datetime) -> BotStats:
    """Every figure, read in one session (a handful of COUNTs on indexed tables)."""
    total_users = await users.count_users(session)
    reachable = await users.count_users(session, include_blocked=False)
    # Every known verdict is shown, zeros included, so the admin sees the full picture.
    verdicts = dict.fromkeys((verdict.value for verdict in Verdict), 0)
    verdicts.update(await payment_checks.count_by_verdict(session))
    reminders = await count_by_status(session)
    return BotStats(
        users_total=total_users,
        users_active=await _count(session, User, User.last_seen_at >= now - ACTIVE_WINDOW),
        users_blocked=total_users - reachable,
        payment_checks=verdicts,
        supplier_checks=await _count(session, SupplierCheckRecord),
        orders_total=await _count(session, Order),
        orders_open=await _count(session, Order, Order.state != OrderState.CLOSED),
        reminders_sent=reminders[ReminderStatus.SENT],
        reminders_failed=reminders[ReminderStatus.FAILED],
        # Sent or not, these may have reached the user twice (see Reminder.in_doubt).
        reminders_in_doubt=await _count(session, Reminder, Reminder.in_doubt.is_(True)),
        reminders_waiting=sum(reminders[status] for status in WAITING),
        deadlines_missed=await deadlines_missed(session, now),
    )


async def _count(session: AsyncSession, table: type[Base], *where: ColumnElement[bool]) -> int:
    statement = select(func.count()).select_from(table).where(*where)
    return (await session.scalars(statement)).one()


@dataclass(frozen=True)
class Reporting:
    """The figures for /stats, counted now."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock

    async def figures(self) -> BotStats:
        async with self.sessions() as session:
            return await collect(session, self.clock.now())
