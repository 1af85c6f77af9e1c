"""Order states and reminder statuses: enum members in Python, their plain values in the
database, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Order, Reminder, ReminderStatus, User
from bot.domain.escrow import OrderState

Sessions = async_sessionmaker[AsyncSession]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def _order_with_reminder(sessionmaker: Sessions) -> tuple[int, int]:
    async with sessionmaker.begin() as session:
        session.add(User(telegram_id=1, created_at=NOW, last_seen_at=NOW))
        await session.flush()
        order = Order(
            user_id=1,
            chat_id=1,
            label="mugs",
            state=OrderState.REFUND_REQUESTED,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(order)
        await session.flush()
        reminder = Reminder(
            order_id=order.id, user_id=1, chat_id=1, kind="inspect", due_at=NOW, created_at=NOW
        )
        session.add(reminder)
        await session.flush()
        return order.id, reminder.id


async def test_members_are_stored_as_their_values(sessionmaker: Sessions) -> None:
    order_id, reminder_id = await _order_with_reminder(sessionmaker)

    async with sessionmaker() as session:
        raw_state = await session.scalar(
            sa.text(f"SELECT state FROM orders WHERE id = {order_id}")
        )
        raw_status = await session.scalar(
            sa.text(f"SELECT status FROM reminders WHERE id = {reminder_id}")
        )
        order = await session.get(Order, order_id)
        reminder = await session.get(Reminder, reminder_id)

    assert (raw_state, raw_status) == ("refund_requested", "pending")
    assert order is not None
    assert order.state is OrderState.REFUND_REQUESTED
    assert reminder is not None
    assert reminder.status is ReminderStatus.PENDING


async def test_queries_compare_with_members(sessionmaker: Sessions) -> None:
    order_id, reminder_id = await _order_with_reminder(sessionmaker)

    async with sessionmaker() as session:
        pending = await session.scalar(
            sa.select(Reminder.id).where(Reminder.status == ReminderStatus.PENDING)
        )
        open_order = await session.scalar(
            sa.select(Order.id).where(Order.state != OrderState.CLOSED)
        )

    assert (open_order, pending) == (order_id, reminder_id)


async def test_an_unknown_stored_value_is_an_error(sessionmaker: Sessions) -> None:
    order_id, _ = await _order_with_reminder(sessionmaker)
    async with sessionmaker.begin() as session:
        await session.execute(sa.text(f"UPDATE orders SET state = 'lost' WHERE id = {order_id}"))

    async with sessionmaker() as session:
        with pytest.raises(ValueError, match="lost"):
            await session.get(Order, order_id)
