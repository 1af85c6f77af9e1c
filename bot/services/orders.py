"""Tracked orders: the order, its event log and its reminders change in one transaction.

Handlers call these functions; reminders are re-planned whenever the timeline changes,
through bot.reminders.store.write_plan, which compares the plan with the rows already
there: a reminder already sent is never planned again, one still wanted is kept, one no
longer wanted is cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import Order, OrderEvent, User
from bot.domain.disputes import FOLLOWUP_REMINDER_KIND
from bot.domain.escrow import (
    INSPECT,
    EscrowRules,
    OrderAction,
    OrderState,
    PlannedReminder,
    QuietHours,
    Timeline,
    auto_confirm_deadline,
    inspection_nudge,
    next_state,
    plan_reminders,
    reminders_stop,
)
from bot.domain.masking import mask_private_numbers
from bot.domain.timezones import zone_for
from bot.reminders.store import ADD_ONLY, PlanScope, write_plan

EXTENSION_CHOICES = (3, 5, 7)
EXTENSION_UNDONE = "extend_undone"
# The inspection nudge and dispute follow-ups belong to those events, not to the deadline.
ESCROW_PLAN = PlanScope.every_kind_but(INSPECT, FOLLOWUP_REMINDER_KIND)


@dataclass(frozen=True)
class ReminderPolicy:
    """Everything re-planning needs that comes from settings."""

    rules: EscrowRules
    offsets: tuple[timedelta, ...]
    default_timezone: str

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        rules = EscrowRules(
            after_shipped=timedelta(days=settings.escrow_after_shipped_days),
            after_signed=timedelta(hours=settings.escrow_after_signed_hours),
            never_signed_cutoff=timedelta(days=settings.escrow_never_signed_cutoff_days),
            never_signed_release=timedelta(days=settings.escrow_never_signed_release_days),
        )
        offsets = tuple(sorted(settings.reminder_offsets, reverse=True))
        return cls(rules, offsets, settings.default_timezone)


def timeline_of(order: Order) -> Timeline:
    return Timeline(
        shipped_at=order.shipped_at,
        signed_at=order.signed_at,
        extension_days=order.extension_days,
        paused=timedelta(seconds=order.paused_seconds),
        pause_started_at=order.pause_started_at,
        countdown_deadline=order.countdown_deadline_at,
    )


def deadline_of(order: Order, policy: ReminderPolicy, now: datetime) -> datetime | None:
    return auto_confirm_deadline(timeline_of(order), policy.rules, now)


async def create_order(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    label: str,
    now: datetime,
    policy: ReminderPolicy,
    shipped_at: datetime | None = None,
    shipped_estimated: bool = False,
    countdown_deadline: datetime | None = None,
    order_number: str | None = None,
    source_update_id: int | None = None,
) -> tuple[Order, list[datetime]]:
    """A new tracked order and its reminders; returns the order and the new due times.

    With `source_update_id`, the same update handled again (after a crash half-way
    through it) returns the order it created the first time, with no new reminders.
    """
    if source_update_id is not None:
        earlier = await session.scalar(
            select(Order).where(
                Order.user_id == user_id, Order.source_update_id == source_update_id
            )
        )
        if earlier is not None:
            return earlier, []
    state = (
        OrderState.SHIPPED if shipped_at or countdown_deadline else OrderState.AWAITING_SHIPMENT
    )
    order = Order(
        user_id=user_id,
        chat_id=chat_id,
        # Names are masked as they are stored: every card, list and reminder shows them so.
        label=mask_private_numbers(label),
        order_number=order_number,
        state=state,
        shipped_at=shipped_at,
        shipped_at_estimated=shipped_estimated and shipped_at is not None,
        countdown_deadline_at=countdown_deadline,
        created_at=now,
        updated_at=now,
        source_update_id=source_update_id,
    )
    session.add(order)
    await session.flush()
    _log(session, order, now, "created", _describe_start(shipped_at, countdown_deadline))
    due = await replan(session, order, now, policy)
    return order, due


def _describe_start(shipped_at: datetime | None, countdown: datetime | None) -> str | None:
    if countdown is not None:
        return f"countdown deadline {countdown.isoformat()}"
    if shipped_at is not None:
        return f"shipped {shipped_at.isoformat()}"
    return None


async def apply_action(
    session: AsyncSession,
    order: Order,
    action: OrderAction,
    now: datetime,
    policy: ReminderPolicy,
    *,
    days: int = 0,
    at: datetime | None = None,
) -> list[datetime]:
    """Move the order through its state machine and re-plan; InvalidTransition if the
    action makes no sense in the order's state."""
    state = next_state(order.state, action)
    if action is OrderAction.SHIP:
        order.shipped_at = at or now
    elif action is OrderAction.SIGN:
        order.signed_at = at or now
    elif action is OrderAction.EXTEND:
        order.extension_days += days
    elif action is OrderAction.REQUEST_REFUND:
        order.pause_started_at = order.pause_started_at or now
    ends_pause = state in (OrderState.INSPECTED_OK, OrderState.CLOSED)
    if (ends_pause or action is OrderAction.CLOSE_REFUND) and order.pause_started_at:
        _end_pause(order, now)
    order.state = state
    order.updated_at = now
    _log(session, order, now, action.value, f"+{days} days" if days else None)
    due = await replan(session, order, now, policy)
    if action is OrderAction.SIGN and not reminders_stop(state):
        nudge = inspection_nudge(order.signed_at or now, now)
        due += await _add_one_off(session, order, nudge, now)
    return due


def _end_pause(order: Order, now: datetime) -> None:
    assert order.pause_started_at is not None
    order.paused_seconds += int((now - order.pause_started_at).total_seconds())
    order.pause_started_at = None


async def set_countdown(
    session: AsyncSession, order: Order, deadline: datetime, now: datetime, policy: ReminderPolicy
) -> list[datetime]:
    """The user copied the countdown from the order page: it wins over the computed one."""
    order.countdown_deadline_at = deadline
    # The page's countdown already includes earlier extensions and closed refund pauses;
    # an open refund pause counts again from this reading (see escrow.with_countdown).
    order.extension_days = 0
    order.paused_seconds = 0
    if order.pause_started_at is not None:
        order.pause_started_at = now
    if order.state is OrderState.AWAITING_SHIPMENT:
        order.state = OrderState.SHIPPED
    order.updated_at = now
    _log(session, order, now, "countdown", deadline.isoformat())
    return await replan(session, order, now, policy)


async def set_signing_time(
    session: AsyncSession, order: Order, signed_at: datetime, now: datetime, policy: ReminderPolicy
) -> list[datetime]:
    """The courier's record of the signing (from a trace) replaces the time we had."""
    order.signed_at = signed_at
    order.updated_at = now
    _log(session, order, now, "signed_time", signed_at.isoformat())
    return await replan(session, order, now, policy)


async def undo_extension(
    session: AsyncSession, order: Order, days: int, now: datetime, policy: ReminderPolicy
) -> list[datetime]:
    """The last 延长收货 the user recorded was a mistake: the deadline moves back."""
    order.extension_days -= days
    order.updated_at = now
    _log(session, order, now, EXTENSION_UNDONE, f"-{days} days")
    return await replan(session, order, now, policy)


async def set_ship_time(
    session: AsyncSession,
    order: Order,
    shipped_at: datetime,
    now: datetime,
    policy: ReminderPolicy,
) -> list[datetime]:
    """The exact ship time for one that was guessed from its day."""
    order.shipped_at = shipped_at
    order.shipped_at_estimated = False
    order.updated_at = now
    _log(session, order, now, "ship_time", shipped_at.isoformat())
    return await replan(session, order, now, policy)


def last_extension(events: Sequence[OrderEvent]) -> OrderEvent | None:
    """The extension an Undo would take back: the latest not undone since the last
    countdown (a countdown from the page already includes every extension)."""
    recorded: list[OrderEvent] = []
    for event in events:
        if event.kind == OrderAction.EXTEND:
            recorded.append(event)
        elif event.kind == EXTENSION_UNDONE and recorded:
            recorded.pop()
        elif event.kind == "countdown":
            recorded.clear()
    return recorded[-1] if recorded else None


def extension_days(event: OrderEvent) -> int:
    """The days an `extend` event added (its detail is `+3 days`)."""
    digits = "".join(char for char in (event.detail or "") if char.isdigit())
    return int(digits) if digits else 0


async def replan(
    session: AsyncSession, order: Order, now: datetime, policy: ReminderPolicy
) -> list[datetime]:
    """Bring the order's reminders in line with its deadline; returns new due times."""
    order.deadline_at = deadline_of(order, policy, now)
    state = order.state
    wanted: list[PlannedReminder] = []
    if order.deadline_at is not None and not reminders_stop(state) and not order.pause_started_at:
        zone, quiet = await _user_zone_and_quiet(session, order.user_id, policy)
        wanted = plan_reminders(order.deadline_at, now, policy.offsets, quiet=quiet, zone=zone)
    return await write_plan(
        session, order, wanted, scope=ESCROW_PLAN, deadline=order.deadline_at, now=now
    )


async def _add_one_off(
    session: AsyncSession, order: Order, reminder: PlannedReminder, now: datetime
) -> list[datetime]:
    return await write_plan(
        session, order, [reminder], scope=ADD_ONLY, deadline=order.deadline_at, now=now
    )


async def _user_zone_and_quiet(
    session: AsyncSession, user_id: int, policy: ReminderPolicy
) -> tuple[tzinfo, QuietHours | None]:
    user = await session.get(User, user_id)
    zone = zone_for(user.timezone if user else None, policy.default_timezone)
    if user is None or user.quiet_from_hour is None or user.quiet_to_hour is None:
        return zone, None
    return zone, QuietHours(user.quiet_from_hour, user.quiet_to_hour)


def _log(
    session: AsyncSession, order: Order, now: datetime, kind: str, detail: str | None
) -> None:
    session.add(OrderEvent(order_id=order.id, at=now, kind=kind, detail=detail))


async def add_snooze(
    session: AsyncSession, order: Order, now: datetime, delay: timedelta
) -> datetime:
    """A one-off reminder `delay` from now, never later than the deadline itself."""
    due = now + delay
    if order.deadline_at is not None:
        due = min(due, max(now, order.deadline_at))
    planned = PlannedReminder(kind=f"snooze_{int(delay.total_seconds())}", due_at=due)
    await _add_one_off(session, order, planned, now)
    return due


async def replan_user_orders(
    session: AsyncSession, user_id: int, now: datetime, policy: ReminderPolicy
) -> list[datetime]:
    """After the user's time zone or quiet hours change: every open order re-planned."""
    due: list[datetime] = []
    for order in await open_orders(session, user_id):
        due += await replan(session, order, now, policy)
    return due


async def get_order(session: AsyncSession, user_id: int, order_id: int) -> Order | None:
    """The user's own order; None for someone else's id, whatever the button said."""
    query = select(Order).where(Order.id == order_id, Order.user_id == user_id)
    order: Order | None = await session.scalar(query)
    return order


async def open_orders(session: AsyncSession, user_id: int) -> Sequence[Order]:
    query = (
        select(Order)
        .where(Order.user_id == user_id, Order.state != OrderState.CLOSED)
        .order_by(Order.deadline_at.is_(None), Order.deadline_at, Order.id)
    )
    return (await session.scalars(query)).all()


async def open_order_numbered(
    session: AsyncSession, user_id: int, order_number: str
) -> Order | None:
    query = (
        select(Order)
        .where(
            Order.user_id == user_id,
            Order.order_number == order_number,
            Order.state != OrderState.CLOSED,
        )
        .order_by(Order.id.desc())
        .limit(1)
    )
    order: Order | None = await session.scalar(query)
    return order


async def delete_order(session: AsyncSession, user_id: int, order_id: int) -> bool:
    result = await session.execute(
        delete(Order).where(Order.id == order_id, Order.user_id == user_id).returning(Order.id)
    )
    return result.scalar_one_or_none() is not None


async def events_of(session: AsyncSession, order: Order) -> Sequence[OrderEvent]:
    query = select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    return (await session.scalars(query)).all()
