"""Tracking orders: the use cases behind /track, /orders and the order card's buttons.

Each method is one transaction: the order, its event log and its reminder plan change
together (bot/services/orders.py), and the reminder engine is woken once the commit is
done, for a reminder that falls due before its next sweep. Every order is looked up with
the user's id, so a button carrying someone else's order id finds nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import Order, User
from bot.domain.escrow import OrderAction, allowed_actions
from bot.domain.escrow.track_input import MAX_LABEL, PastMoment, TrackStart, parse_start
from bot.domain.masking import mask_private_numbers
from bot.domain.timezones import zone_for
from bot.services import orders as order_rules
from bot.services.orders import ReminderPolicy

Waker = Callable[[Sequence[datetime]], None]
# What handlers get: an order read from the database, detached from its session (they
# read its fields and never query through it).
TrackedOrder = Order
Change = Callable[[AsyncSession, Order, datetime], Awaitable[list[datetime]]]


@dataclass(frozen=True)
class Extension:
    """The 延长收货 an Undo would take back."""

    days: int
    at: datetime


@dataclass(frozen=True)
class OrderCard:
    """An order as its card shows it, with the zone its owner reads times in."""

    order: Order
    zone: tzinfo
    last_extension: Extension | None = None


@dataclass(frozen=True)
class PageFacts:
    """What an order page read by the rules says about the escrow clock."""

    deadline_at: datetime | None
    refund_open: bool


@dataclass(frozen=True)
class ReminderSubject:
    """What a reminder about an order is worded from."""

    order: Order | None
    language: str
    zone: tzinfo


@dataclass(frozen=True)
class Tracking:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    policy: Callable[[], ReminderPolicy]
    wake: Waker

    async def track(
        self,
        *,
        user_id: int,
        chat_id: int,
        start: TrackStart,
        label: str | None,
        default_label: Callable[[int], str],
        order_number: str | None = None,
        source_update_id: int | None = None,
    ) -> OrderCard:
        """A new tracked order; `default_label(n)` names it when the user gave no name (n:
        the count of open orders with it)."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            if label is None:
                label = default_label(len(await order_rules.open_orders(session, user_id)) + 1)
            order, due = await order_rules.create_order(
                session,
                user_id=user_id,
                chat_id=chat_id,
                label=label,
                now=now,
                policy=self.policy(),
                shipped_at=start.shipped_at,
                shipped_estimated=start.estimated,
                countdown_deadline=start.countdown,
                order_number=order_number,
                source_update_id=source_update_id,
            )
            card = await self._card(session, order)
        self.wake(due)
        return card

    async def card(self, user_id: int, order_id: int) -> OrderCard | None:
        async with self.sessions() as session:
            order = await order_rules.get_order(session, user_id, order_id)
            return await self._card(session, order) if order else None

    async def act(
        self, user_id: int, order_id: int, action: OrderAction, *, days: int = 0
    ) -> OrderCard | None:
        """Move the order through its state machine (InvalidTransition when the action
        makes no sense now); None when the user has no such order."""
        policy = self.policy()

        async def change(session: AsyncSession, order: Order, now: datetime) -> list[datetime]:
            return await order_rules.apply_action(session, order, action, now, policy, days=days)

        return await self._change(user_id, order_id, change)

    async def extend(
        self, user_id: int, order_id: int, days: int, *, from_days: int
    ) -> OrderCard | None:
        """延长收货 +`days`, confirmed on a card that showed `from_days` of extensions: a
        second press of the same confirmation (a double tap, a late copy) finds the order
        already extended and changes nothing."""
        policy = self.policy()

        async def change(session: AsyncSession, order: Order, now: datetime) -> list[datetime]:
            if order.extension_days != from_days:
                return []
            action = OrderAction.EXTEND
            return await order_rules.apply_action(session, order, action, now, policy, days=days)

        return await self._change(user_id, order_id, change)

    async def undo_extension(self, user_id: int, order_id: int) -> OrderCard | None:
        """Take back the last 延长收货; the card as it was when there is none to undo."""
        policy = self.policy()

        async def change(session: AsyncSession, order: Order, now: datetime) -> list[datetime]:
            last = order_rules.last_extension(await order_rules.events_of(session, order))
            if last is None:
                return []
            days = order_rules.extension_days(last)
            return await order_rules.undo_extension(session, order, days, now, policy)

        return await self._change(user_id, order_id, change)

    async def close_refund(
        self, user_id: int, order_id: int, countdown: datetime
    ) -> OrderCard | None:
        """The refund was closed without a refund: the clock runs again, from the
        countdown the order page shows now."""
        policy = self.policy()

        async def change(session: AsyncSession, order: Order, now: datetime) -> list[datetime]:
            await order_rules.apply_action(session, order, OrderAction.CLOSE_REFUND, now, policy)
            return await order_rules.set_countdown(session, order, countdown, now, policy)

        return await self._change(user_id, order_id, change)

    async def set_ship_time(
        self, user_id: int, order_id: int, shipped_at: datetime
    ) -> OrderCard | None:
        policy = self.policy()

        async def change(session: AsyncSession, order: Order, now: datetime) -> list[datetime]:
            return await order_rules.set_ship_time(session, order, shipped_at, now, policy)

        return await self._change(user_id, order_id, change)

    async def snooze(self, user_id: int, order_id: int, delay: timedelta) -> OrderCard | None:
        async def change(session: AsyncSession, order: Order, now: datetime) -> list[datetime]:
            return [await order_rules.add_snooze(session, order, now, delay)]

        return await self._change(user_id, order_id, change)

    async def edit(self, user_id: int, order_id: int, text: str) -> OrderCard | PastMoment | None:
        """A new countdown or deadline when `text` reads as one, a new name when it reads
        as no time; PastMoment (and nothing changed) when it points into the past."""
        start = parse_start(text, self.clock.now())
        if isinstance(start, PastMoment):
            return start
        policy = self.policy()

        async def change(session: AsyncSession, order: Order, now: datetime) -> list[datetime]:
            if start is not None and start.countdown is not None:
                return await order_rules.set_countdown(
                    session, order, start.countdown, now, policy
                )
            order.label = mask_private_numbers(text[:MAX_LABEL])
            order.updated_at = now
            return []

        return await self._change(user_id, order_id, change)

    async def with_order_number(self, user_id: int, order_number: str) -> OrderCard | None:
        """The user's open order with this 1688 order number, if they track it."""
        async with self.sessions() as session:
            order = await order_rules.open_order_numbered(session, user_id, order_number)
            return await self._card(session, order) if order else None

    async def update_from_page(
        self, user_id: int, order_id: int, page: PageFacts
    ) -> OrderCard | None:
        """What a freshly read order page says wins over what we had: its deadline (the
        page counts extensions and refund pauses itself), an open refund pausing the clock,
        a closed refund letting it run again. Statuses with no clock change nothing here:
        the handler says what they mean."""
        policy = self.policy()

        async def change(session: AsyncSession, order: Order, now: datetime) -> list[datetime]:
            due: list[datetime] = []
            if page.refund_open:
                if OrderAction.REQUEST_REFUND in allowed_actions(order.state):
                    action = OrderAction.REQUEST_REFUND
                    due += await order_rules.apply_action(session, order, action, now, policy)
                return due
            if page.deadline_at is None or page.deadline_at <= now:
                return due
            if OrderAction.CLOSE_REFUND in allowed_actions(order.state):
                action = OrderAction.CLOSE_REFUND
                due += await order_rules.apply_action(session, order, action, now, policy)
            due += await order_rules.set_countdown(session, order, page.deadline_at, now, policy)
            return due

        return await self._change(user_id, order_id, change)

    async def delete(self, user_id: int, order_id: int) -> bool:
        async with self.sessions.begin() as session:
            return await order_rules.delete_order(session, user_id, order_id)

    async def open_orders(self, user_id: int) -> list[Order]:
        async with self.sessions() as session:
            return list(await order_rules.open_orders(session, user_id))

    async def reminder_subject(self, order_id: int, user_id: int) -> ReminderSubject:
        """What the reminder engine words a reminder from, as it is about to send it."""
        async with self.sessions() as session:
            order = await session.get(Order, order_id)
            user = await session.get(User, user_id)
        language = user.language if user and user.language else "en"
        zone = zone_for(user.timezone if user else None, self.policy().default_timezone)
        return ReminderSubject(order, language, zone)

    async def _change(self, user_id: int, order_id: int, change: Change) -> OrderCard | None:
        """One change to one of the user's orders, in one transaction; None for an order
        that is not theirs (or no longer exists)."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            order = await order_rules.get_order(session, user_id, order_id)
            if order is None:
                return None
            due = await change(session, order, now)
            card = await self._card(session, order)
        self.wake(due)
        return card

    async def card_in(self, session: AsyncSession, order: Order) -> OrderCard:
        """The card of an order another service is changing in `session`."""
        return await self._card(session, order)

    async def _card(self, session: AsyncSession, order: Order) -> OrderCard:
        user = await session.get(User, order.user_id)
        zone = zone_for(user.timezone if user else None, self.policy().default_timezone)
        last = order_rules.last_extension(await order_rules.events_of(session, order))
        extension = Extension(order_rules.extension_days(last), last.at) if last else None
        return OrderCard(order, zone, extension)
