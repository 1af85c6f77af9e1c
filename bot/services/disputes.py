"""Disputes of tracked orders: what an order records of its dispute, and the walk's writes.

Each answer that matters is an order event (`dispute_reason`, `dispute_evidence`,
`dispute_weight`, `dispute_followup`; `request_refund` comes from bot.services.orders), so
a walk whose draft is gone (an expired conversation, a button on an old message) is
rebuilt from the order: `saved_dispute`. The encoding of each event's detail is written
and read here only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.models import Order, OrderEvent
from bot.domain.disputes import (
    FOLLOWUP_REMINDER_KIND,
    Evidence,
    Reason,
    followup_due,
    parse_weight_input,
)
from bot.domain.escrow import InvalidTransition, OrderAction, OrderState, PlannedReminder
from bot.domain.logistics import FlagCode
from bot.reminders.store import PlanScope, latest_pending_due, write_plan
from bot.services import orders as order_service
from bot.services.orders import ReminderPolicy

EVENT_REASON = "dispute_reason"
EVENT_EVIDENCE = "dispute_evidence"
EVENT_WEIGHT = "dispute_weight"
EVENT_FOLLOWUP = "dispute_followup"
REFUND_OPEN = (OrderState.REFUND_REQUESTED, OrderState.PLATFORM_INTERVENTION)
# One pending follow-up per order: a new one replaces the last.
FOLLOWUP_PLAN = PlanScope.of(FOLLOWUP_REMINDER_KIND)


@dataclass(frozen=True)
class SavedDispute:
    """An order's dispute as its events and reminders tell it (the latest answer wins)."""

    order_id: int
    label: str
    order_number: str | None
    reason: Reason | None = None
    evidence: tuple[Evidence, ...] | None = None  # None: the checklist was never confirmed
    weight: tuple[int, float, float] | None = None  # quantity, unit weight g, receipt kg
    refund_requested: bool = False
    refund_requested_at: datetime | None = None
    followup_at: datetime | None = None
    # Flag codes a checked logistics trace raised on the order's parcel (bot.domain.logistics).
    parcel_flags: tuple[str, ...] = ()


class RefundOutcome(StrEnum):
    ORDER_GONE = "order_gone"  # not (or no longer) one of the user's orders
    ALREADY_OPEN = "already_open"
    PAUSED = "paused"  # the escrow clock stopped with the refund request
    NOT_NOW = "not_now"  # the order's state allows no refund request


@dataclass(frozen=True)
class RefundRecord:
    outcome: RefundOutcome
    paused_at: datetime | None = None
    new_reminders: list[datetime] = field(default_factory=list)


async def saved_dispute(session: AsyncSession, user_id: int, order_id: int) -> SavedDispute | None:
    """The user's order's dispute; None for someone else's order, whatever the button said."""
    order = await order_service.get_order(session, user_id, order_id)
    if order is None:
        return None
    # Only flag codes: the column also keeps markers such as Kuaidi100's "phone asked".
    known = {code.value for code in FlagCode}
    flags = tuple(code for code in (order.parcel_flags or "").split(",") if code in known)
    saved = SavedDispute(order.id, order.label, order.order_number, parcel_flags=flags)
    for event in await order_service.events_of(session, order):
        saved = _with_answer(saved, event)
    if order.state in REFUND_OPEN or order.pause_started_at is not None:
        saved = replace(saved, refund_requested=True)
    followup_at = await latest_pending_due(session, order.id, FOLLOWUP_REMINDER_KIND)
    return replace(saved, followup_at=followup_at)


def _with_answer(saved: SavedDispute, event: OrderEvent) -> SavedDispute:
    detail = event.detail or ""
    if event.kind == EVENT_REASON and detail in _REASONS:
        return replace(saved, reason=Reason(detail))
    if event.kind == EVENT_EVIDENCE:
        items = tuple(Evidence(item) for item in detail.split(",") if item in _ITEMS)
        return replace(saved, evidence=items)
    if event.kind == EVENT_WEIGHT:
        return replace(saved, weight=parse_weight_input(detail))
    if event.kind == OrderAction.REQUEST_REFUND:
        return replace(saved, refund_requested=True, refund_requested_at=event.at)
    return saved


_REASONS = frozenset(reason.value for reason in Reason)
_ITEMS = frozenset(item.value for item in Evidence)


def log_reason(session: AsyncSession, order_id: int, reason: Reason, now: datetime) -> None:
    _log(session, order_id, EVENT_REASON, reason.value, now)


def log_evidence(
    session: AsyncSession, order_id: int, evidence: Sequence[Evidence], now: datetime
) -> None:
    _log(session, order_id, EVENT_EVIDENCE, ",".join(evidence), now)


def log_weight(
    session: AsyncSession,
    order_id: int,
    weight: tuple[int, float, float],
    now: datetime,
) -> None:
    quantity, unit_g, receipt_kg = weight
    _log(session, order_id, EVENT_WEIGHT, f"{quantity},{unit_g:g},{receipt_kg:g}", now)


def _log(session: AsyncSession, order_id: int, kind: str, detail: str, now: datetime) -> None:
    session.add(OrderEvent(order_id=order_id, at=now, kind=kind, detail=detail))


async def report_problem(
    session: AsyncSession, user_id: int, order_id: int, now: datetime, policy: ReminderPolicy
) -> list[datetime] | None:
    """The order card's ⚠️ Problem: noted on the order unless a refund is already open.
    Returns the new reminders' due times; None for someone else's order."""
    order = await order_service.get_order(session, user_id, order_id)
    if order is None:
        return None
    if order.state in REFUND_OPEN:
        return []
    return await _apply_if_allowed(session, order, OrderAction.REPORT_PROBLEM, now, policy)


async def record_refund(
    session: AsyncSession, user_id: int, order_id: int, now: datetime, policy: ReminderPolicy
) -> RefundRecord:
    """The user clicked 申请退款: the order's escrow clock pauses."""
    order = await order_service.get_order(session, user_id, order_id)
    if order is None:
        return RefundRecord(RefundOutcome.ORDER_GONE)
    if order.state in REFUND_OPEN:
        return RefundRecord(RefundOutcome.ALREADY_OPEN)
    due: list[datetime] = []
    if order.state is OrderState.INSPECTED_OK:
        # Problems found after an OK inspection: the order goes through "problem" first.
        due += await _apply_if_allowed(session, order, OrderAction.REPORT_PROBLEM, now, policy)
    due += await _apply_if_allowed(session, order, OrderAction.REQUEST_REFUND, now, policy)
    if order.pause_started_at is None:
        return RefundRecord(RefundOutcome.NOT_NOW, new_reminders=due)
    return RefundRecord(RefundOutcome.PAUSED, order.pause_started_at, due)


async def _apply_if_allowed(
    session: AsyncSession,
    order: Order,
    action: OrderAction,
    now: datetime,
    policy: ReminderPolicy,
) -> list[datetime]:
    try:
        return await order_service.apply_action(session, order, action, now, policy)
    except InvalidTransition:
        return []


async def plan_followup(
    session: AsyncSession,
    user_id: int,
    order_id: int,
    *,
    refund_requested_at: datetime | None,
    response_days: float,
    now: datetime,
) -> datetime | None:
    """A reminder to come back to the refund once the seller had `response_days` to answer
    (never in the past); it replaces the order's earlier follow-up. Returns when it is due;
    None for someone else's order."""
    order = await order_service.get_order(session, user_id, order_id)
    if order is None:
        return None
    due = max(followup_due(refund_requested_at or now, response_days), now)
    followup = PlannedReminder(FOLLOWUP_REMINDER_KIND, due)
    # The follow-up is about the open refund, not the (paused) escrow deadline.
    await write_plan(session, order, [followup], scope=FOLLOWUP_PLAN, deadline=None, now=now)
    _log(session, order.id, EVENT_FOLLOWUP, due.isoformat(), now)
    return due


@dataclass(frozen=True)
class Disputes:
    """The dispute walk's use cases, each one transaction; the reminder engine is woken
    after a commit that planned a reminder."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    policy: Callable[[], ReminderPolicy]
    wake: Callable[[Sequence[datetime]], None]

    async def saved(self, user_id: int, order_id: int) -> SavedDispute | None:
        async with self.sessions() as session:
            return await saved_dispute(session, user_id, order_id)

    async def note_reason(self, order_id: int, reason: Reason) -> None:
        async with self.sessions.begin() as session:
            log_reason(session, order_id, reason, self.clock.now())

    async def note_evidence(self, order_id: int, evidence: Sequence[Evidence]) -> None:
        async with self.sessions.begin() as session:
            log_evidence(session, order_id, evidence, self.clock.now())

    async def note_weight(self, order_id: int, weight: tuple[int, float, float]) -> None:
        async with self.sessions.begin() as session:
            log_weight(session, order_id, weight, self.clock.now())

    async def problem(self, user_id: int, order_id: int) -> bool:
        """The order card's ⚠️ Problem; False for someone else's order."""
        async with self.sessions.begin() as session:
            due = await report_problem(session, user_id, order_id, self.clock.now(), self.policy())
        if due is None:
            return False
        self.wake(due)
        return True

    async def refund(self, user_id: int, order_id: int) -> RefundRecord:
        async with self.sessions.begin() as session:
            record = await record_refund(
                session, user_id, order_id, self.clock.now(), self.policy()
            )
        self.wake(record.new_reminders)
        return record

    async def follow_up(
        self,
        user_id: int,
        order_id: int,
        *,
        refund_requested_at: datetime | None,
        response_days: float,
    ) -> datetime | None:
        async with self.sessions.begin() as session:
            due = await plan_followup(
                session,
                user_id,
                order_id,
                refund_requested_at=refund_requested_at,
                response_days=response_days,
                now=self.clock.now(),
            )
        if due is not None:
            self.wake([due])
        return due
