"""A group that became a supergroup: Telegram gives it a new chat id, and the old one
refuses every send from then on (400, `migrate_to_chat_id`). Everything the bot keeps
under the old id moves to the new one, in the caller's transaction.

Two things are keyed by a chat: where an order's messages and reminders go
(`orders.chat_id`, `reminders.chat_id`), and, for anonymous admins, who the user is (the
group itself, bot/runtime/senders.py). Both move. Half-answered conversations in the old
chat are keyed by its id and end; a draft or a day's model budget is not worth a merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Table, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base
from bot.db.models import ConversationState, Order, Reminder, User


@dataclass(frozen=True)
class MovedChat:
    orders: int
    reminders: int


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> MovedChat:
    """Point the old chat's orders and reminders at the new chat; the group's own
    identity (its anonymous admins) becomes the new chat's. Moving twice moves nothing."""
    orders = await session.scalars(
        update(Order)
        .where(Order.chat_id == old_chat_id)
        .values(chat_id=new_chat_id)
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    )
    moved_orders = len(orders.all())
    reminders = await session.scalars(
        update(Reminder)
        .where(Reminder.chat_id == old_chat_id)
        .values(chat_id=new_chat_id)
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    )
    moved_reminders = len(reminders.all())
    # The group's members talked to the bot in the old chat: those conversations end.
    await session.execute(
        delete(ConversationState).where(
            ConversationState.conversation_key.like(f"[{old_chat_id},%")
        )
    )
    await _move_identity(session, old_chat_id, new_chat_id)
    return MovedChat(moved_orders, moved_reminders)


async def _move_identity(session: AsyncSession, old_id: int, new_id: int) -> None:
    if await session.get(User, old_id) is None:
        return
    if await session.get(User, new_id) is None:
        columns = [c for c in User.__table__.columns if c.name != "telegram_id"]
        copy = select(literal(new_id, BigInteger), *columns).where(User.telegram_id == old_id)
        await session.execute(
            insert(User).from_select(["telegram_id", *(c.name for c in columns)], copy)
        )
    for table, column in _user_references():
        if column.primary_key:
            continue  # keyed by the user (a draft, a day's budget): dropped with them
        await session.execute(update(table).where(column == old_id).values({column.name: new_id}))
    await session.execute(delete(User).where(User.telegram_id == old_id))
    session.expire_all()


def _user_references() -> list[tuple[Table, Column[Any]]]:
    found: list[tuple[Table, Column[Any]]] = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(key.column is User.__table__.c.telegram_id for key in column.foreign_keys):
                found.append((table, column))
    return found
