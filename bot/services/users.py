"""A user's settings and their right to be forgotten.

A change of time zone or quiet hours re-plans the user's reminders in the same transaction,
since quiet hours are counted in the user's own time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db import chats, users
from bot.domain.warehouses import Warehouse
from bot.services import orders as order_rules
from bot.services.orders import ReminderPolicy

log = logging.getLogger(__name__)

Waker = Callable[[Sequence[datetime]], None]


@dataclass(frozen=True)
class Users:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    policy: Callable[[], ReminderPolicy]
    wake: Waker

    async def set_language(self, user_id: int, language: str) -> None:
        async with self.sessions.begin() as session:
            await users.set_language(session, user_id, language)

    async def set_keep_texts(self, user_id: int, keep: bool) -> None:
        async with self.sessions.begin() as session:
            await users.set_keep_texts(session, user_id, keep)

    async def set_timezone(self, user_id: int, zone: str) -> None:
        async with self.sessions.begin() as session:
            await users.set_timezone(session, user_id, zone)
            due = await self._replan(session, user_id)
        self.wake(due)

    async def set_quiet_hours(self, user_id: int, hours: tuple[int, int] | None) -> None:
        async with self.sessions.begin() as session:
            await users.set_quiet_hours(session, user_id, hours)
            due = await self._replan(session, user_id)
        self.wake(due)

    async def set_warehouse(self, user_id: int, warehouse: Warehouse | None) -> None:
        async with self.sessions.begin() as session:
            await users.set_warehouse(session, user_id, warehouse)

    async def warehouse(self, user_id: int) -> Warehouse | None:
        async with self.sessions() as session:
            return users.warehouse_of(await users.get_user(session, user_id))

    async def follow_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """The group `old_chat_id` became the supergroup `new_chat_id` (bot/db/chats.py);
        its due reminders are sent there."""
        async with self.sessions.begin() as session:
            moved = await chats.move_chat(session, old_chat_id, new_chat_id)
        if moved.orders or moved.reminders:
            log.info(
                "chat %d is now %d: %d order(s), %d reminder(s) moved",
                old_chat_id,
                new_chat_id,
                moved.orders,
                moved.reminders,
            )

    async def forget(self, user_id: int) -> bool:
        """/forgetme: the user and every row about them (ON DELETE CASCADE)."""
        async with self.sessions.begin() as session:
            return await users.delete_user(session, user_id)

    async def _replan(self, session: AsyncSession, user_id: int) -> list[datetime]:
        """The user's open orders re-planned; the engine is woken once this commits, so
        its sweep finds the new rows."""
        return await order_rules.replan_user_orders(
            session, user_id, self.clock.now(), self.policy()
        )
