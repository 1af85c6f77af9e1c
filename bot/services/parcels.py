"""Parcels: a logistics trace read and checked against the user's warehouse and their
tracked order, and a signing it shows recorded on that order (the 2023 rule then plans the
deadline from it: signed + 48 h wins when later).

A trace finds its order by tracking number; when none matches, the user chooses it with a
button and the order keeps the tracking number for the next trace (and for Kuaidi100).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db import users
from bot.db.models import Order
from bot.domain.escrow import OrderAction, OrderState, allowed_actions
from bot.domain.escrow.order_page import read_order_page
from bot.domain.logistics import Flag, Trace, check_trace, read_trace
from bot.domain.warehouses import Warehouse
from bot.services import orders as order_rules
from bot.services.orders import ReminderPolicy
from bot.services.tracking import OrderCard, Tracking

Waker = Callable[[Sequence[datetime]], None]
MAX_CANDIDATES = 5
# States in which a signing is news for the escrow clock.
_SIGNABLE = (OrderState.AWAITING_SHIPMENT, OrderState.SHIPPED)
_SIGNED_ALREADY = (OrderState.SIGNED, OrderState.PROBLEM)


@dataclass(frozen=True)
class ParcelCheck:
    trace: Trace
    flags: tuple[Flag, ...]
    warehouse: Warehouse | None
    order: OrderCard | None  # the tracked order the parcel belongs to
    signed_recorded: bool  # the trace's signing time was recorded on `order` just now
    candidates: tuple[tuple[int, str], ...]  # (order id, label) to choose from


@dataclass(frozen=True)
class Parcels:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    policy: Callable[[], ReminderPolicy]
    wake: Waker
    tracking: Tracking

    async def check(self, user_id: int, text: str, *, order_id: int | None = None) -> ParcelCheck:
        """Read and check `text`; with `order_id` (chosen with a button) the parcel is that
        order's from now on."""
        now = self.clock.now()
        trace = read_trace(text, now)
        due: list[datetime] = []
        async with self.sessions.begin() as session:
            warehouse = users.warehouse_of(await users.get_user(session, user_id))
            order = await self._order_of(session, user_id, trace, order_id)
            if order is None and order_id is None:
                # A trace copied from the 1688 order page may carry the order number.
                number = read_order_page(text, now).order_no
                if number is not None:
                    order = await order_rules.open_order_numbered(session, user_id, number)
            flags = _flags(trace, now, order, warehouse)
            recorded = False
            if order is not None:
                _remember_parcel(order, trace, now)
                _remember_flags(order, flags)
                recorded, due = await self._record_signing(session, order, trace, now)
            candidates: tuple[tuple[int, str], ...] = ()
            if order is None:
                candidates = await _candidates(session, user_id)
            card = await self.tracking.card_in(session, order) if order else None
        self.wake(due)
        return ParcelCheck(trace, flags, warehouse, card, recorded, candidates)

    async def apply_status(self, order_id: int, text: str) -> ParcelNews | None:
        """A followed parcel's status (Kuaidi100's events as trace lines, with a header
        naming carrier and number) checked as if the user had pasted it for `order_id`:
        the same flags against their warehouse, a signing recorded at once (2023 rule).
        Says what is news: flags never alerted for this order, and the new deadline."""
        now = self.clock.now()
        trace = read_trace(text, now)
        due: list[datetime] = []
        async with self.sessions.begin() as session:
            order = await session.get(Order, order_id)
            if order is None or order.state == OrderState.CLOSED or not trace.events:
                return None
            user = await users.get_user(session, order.user_id)
            warehouse = users.warehouse_of(user)
            flags = _flags(trace, now, order, warehouse)
            seen = set(_seen_flags(order))
            fresh = tuple(flag for flag in flags if flag.code.value not in seen)
            _remember_parcel(order, trace, now)
            _remember_flags(order, flags)
            recorded, due = await self._record_signing(session, order, trace, now)
            news = ParcelNews(
                order_id=order.id,
                user_id=order.user_id,
                chat_id=order.chat_id,
                language=user.language if user else None,
                label=order.label,
                tracking_no=order.tracking_no,
                new_flags=fresh,
                new_deadline=order.deadline_at if recorded else None,
                deadline=order.deadline_at,
            )
        self.wake(due)
        return news

    async def _order_of(
        self, session: AsyncSession, user_id: int, trace: Trace, order_id: int | None
    ) -> Order | None:
        if order_id is not None:
            return await order_rules.get_order(session, user_id, order_id)
        if trace.tracking_no is None:
            return None
        query = select(Order).where(
            Order.user_id == user_id,
            Order.tracking_no == trace.tracking_no,
            Order.state != OrderState.CLOSED,
        )
        order: Order | None = await session.scalar(query.order_by(Order.id.desc()).limit(1))
        return order

    async def _record_signing(
        self, session: AsyncSession, order: Order, trace: Trace, now: datetime
    ) -> tuple[bool, list[datetime]]:
        signed_at = trace.signed_at
        if signed_at is None or signed_at > now or order.signed_at == signed_at:
            return False, []
        policy = self.policy()
        if order.state in _SIGNABLE and OrderAction.SIGN in allowed_actions(order.state):
            action = OrderAction.SIGN
            due = await order_rules.apply_action(session, order, action, now, policy, at=signed_at)
            return True, due
        if order.state in _SIGNED_ALREADY:
            # The trace's time is the courier's record; the button pressed later is not.
            return True, await order_rules.set_signing_time(session, order, signed_at, now, policy)
        return False, []


@dataclass(frozen=True)
class ParcelNews:
    """What a followed parcel's new status means for its user."""

    order_id: int
    user_id: int
    chat_id: int
    language: str | None
    label: str
    tracking_no: str | None
    new_flags: tuple[Flag, ...]  # never alerted for this order before
    new_deadline: datetime | None  # the deadline, when a signing was recorded just now
    deadline: datetime | None  # the order's deadline now


def _flags(
    trace: Trace, now: datetime, order: Order | None, warehouse: Warehouse | None
) -> tuple[Flag, ...]:
    shipped = order.shipped_at if order and not order.shipped_at_estimated else None
    return check_trace(
        trace, now, warehouse_city=warehouse.city if warehouse else None, shipped_at=shipped
    )


def _seen_flags(order: Order) -> list[str]:
    return [code for code in (order.parcel_flags or "").split(",") if code]


def _remember_parcel(order: Order, trace: Trace, now: datetime) -> None:
    if trace.tracking_no and order.tracking_no != trace.tracking_no:
        order.tracking_no = trace.tracking_no
        order.updated_at = now
    if trace.carrier is not None:
        order.carrier = trace.carrier.value


def _remember_flags(order: Order, flags: tuple[Flag, ...]) -> None:
    """The flags the user has now seen for this parcel: the dispute walk cites them, and
    a followed parcel never alerts them again."""
    seen = _seen_flags(order)
    seen += [flag.code.value for flag in flags if flag.code.value not in seen]
    order.parcel_flags = ",".join(seen)


async def _candidates(session: AsyncSession, user_id: int) -> tuple[tuple[int, str], ...]:
    orders = await order_rules.open_orders(session, user_id)
    return tuple((order.id, order.label) for order in orders[:MAX_CANDIDATES])
