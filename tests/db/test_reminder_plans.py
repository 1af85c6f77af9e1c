"""Reminder plans written by bot.reminders.store.write_plan, through the order and dispute
services, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Order, Reminder, ReminderStatus, User
from bot.domain.disputes import FOLLOWUP_REMINDER_KIND, Evidence, Reason
from bot.domain.escrow import DEFAULT_OFFSETS, INSPECT, EscrowRules, OrderAction, OrderState
from bot.reminders.store import ADD_ONLY, write_plan
from bot.services import disputes, orders
from bot.services.disputes import RefundOutcome

Sessions = async_sessionmaker[AsyncSession]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
USER_ID, STRANGER_ID = 7, 8
POLICY = orders.ReminderPolicy(EscrowRules(), DEFAULT_OFFSETS, "UTC")


async def _tracked_order(sessionmaker: Sessions) -> int:
    """An order shipped now: escrow reminders at 72 h, 24 h, 6 h and 1 h before day 10."""
    async with sessionmaker.begin() as session:
        for user_id in (USER_ID, STRANGER_ID):
            session.add(User(telegram_id=user_id, created_at=NOW, last_seen_at=NOW))
        await session.flush()
        order, _ = await orders.create_order(
            session,
            user_id=USER_ID,
            chat_id=USER_ID,
            label="mugs",
            now=NOW,
            policy=POLICY,
            shipped_at=NOW,
        )
        return order.id


async def _rows(sessionmaker: Sessions, order_id: int) -> list[tuple[str, ReminderStatus]]:
    async with sessionmaker() as session:
        query = select(Reminder).where(Reminder.order_id == order_id).order_by(Reminder.id)
        return [(row.kind, row.status) for row in await session.scalars(query)]


async def test_writing_the_same_plan_again_adds_nothing(sessionmaker: Sessions) -> None:
    order_id = await _tracked_order(sessionmaker)
    before = await _rows(sessionmaker, order_id)

    async with sessionmaker.begin() as session:
        order = await orders.get_order(session, USER_ID, order_id)
        assert order is not None
        added = await orders.replan(session, order, NOW, POLICY)

    assert added == []
    assert await _rows(sessionmaker, order_id) == before
    assert {status for _, status in before} == {ReminderStatus.PENDING}


async def test_a_plan_cancels_only_its_own_kinds(sessionmaker: Sessions) -> None:
    order_id = await _tracked_order(sessionmaker)
    async with sessionmaker.begin() as session:
        order = await orders.get_order(session, USER_ID, order_id)
        assert order is not None
        await orders.apply_action(session, order, OrderAction.SIGN, NOW, POLICY)
        await disputes.plan_followup(
            session, USER_ID, order_id, refund_requested_at=NOW, response_days=3, now=NOW
        )
        # An empty escrow plan: every stage goes, the nudge and the follow-up stay.
        await write_plan(session, order, [], scope=orders.ESCROW_PLAN, deadline=None, now=NOW)

    open_kinds = {
        kind
        for kind, status in await _rows(sessionmaker, order_id)
        if status is ReminderStatus.PENDING
    }
    assert open_kinds == {INSPECT, FOLLOWUP_REMINDER_KIND}


async def test_an_add_only_plan_keeps_what_is_there(sessionmaker: Sessions) -> None:
    order_id = await _tracked_order(sessionmaker)
    async with sessionmaker.begin() as session:
        order = await orders.get_order(session, USER_ID, order_id)
        assert order is not None
        due = await orders.add_snooze(session, order, NOW, timedelta(hours=1))
        again = await write_plan(session, order, [], scope=ADD_ONLY, deadline=None, now=NOW)

    rows = await _rows(sessionmaker, order_id)
    assert due == NOW + timedelta(hours=1)
    assert again == []
    assert ("snooze_3600", ReminderStatus.PENDING) in rows
    assert all(status is ReminderStatus.PENDING for _, status in rows)


async def test_a_sent_reminder_is_never_planned_again(sessionmaker: Sessions) -> None:
    order_id = await _tracked_order(sessionmaker)
    async with sessionmaker.begin() as session:
        sent = await session.scalar(select(Reminder).where(Reminder.order_id == order_id))
        assert sent is not None
        sent.status = ReminderStatus.SENT
    async with sessionmaker.begin() as session:
        order = await orders.get_order(session, USER_ID, order_id)
        assert order is not None
        added = await orders.replan(session, order, NOW, POLICY)

    assert added == []
    assert [status for _, status in await _rows(sessionmaker, order_id)].count(
        ReminderStatus.SENT
    ) == 1


async def test_one_pending_follow_up_per_order(sessionmaker: Sessions) -> None:
    order_id = await _tracked_order(sessionmaker)
    plans = [(NOW, 3), (NOW, 3), (NOW, 5)]  # the same moment twice, then a later one
    due = []
    for refund_at, days in plans:
        async with sessionmaker.begin() as session:
            due.append(
                await disputes.plan_followup(
                    session,
                    USER_ID,
                    order_id,
                    refund_requested_at=refund_at,
                    response_days=days,
                    now=NOW,
                )
            )

    assert due == [NOW + timedelta(days=3)] * 2 + [NOW + timedelta(days=5)]
    followups = [
        status
        for kind, status in await _rows(sessionmaker, order_id)
        if kind == FOLLOWUP_REMINDER_KIND
    ]
    assert followups == [ReminderStatus.CANCELLED, ReminderStatus.PENDING]
    async with sessionmaker() as session:
        saved = await disputes.saved_dispute(session, USER_ID, order_id)
    assert saved is not None
    assert saved.followup_at == NOW + timedelta(days=5)


async def test_the_follow_up_warns_about_no_deadline(sessionmaker: Sessions) -> None:
    order_id = await _tracked_order(sessionmaker)
    async with sessionmaker.begin() as session:
        await disputes.plan_followup(
            session, USER_ID, order_id, refund_requested_at=None, response_days=3, now=NOW
        )
    async with sessionmaker() as session:
        query = select(Reminder).where(Reminder.kind == FOLLOWUP_REMINDER_KIND)
        followup = await session.scalar(query)

    assert followup is not None
    assert (followup.due_at, followup.deadline_at) == (NOW + timedelta(days=3), None)


async def test_the_saved_dispute_is_what_the_walk_recorded(sessionmaker: Sessions) -> None:
    order_id = await _tracked_order(sessionmaker)
    async with sessionmaker.begin() as session:
        disputes.log_reason(session, order_id, Reason.QUALITY, NOW)
        disputes.log_reason(session, order_id, Reason.MISSING_ITEMS, NOW)  # the latest wins
        disputes.log_evidence(session, order_id, [Evidence.CHAT, Evidence.VIDEO], NOW)
        disputes.log_weight(session, order_id, (500, 120.0, 52.3), NOW)
        refund = await disputes.record_refund(session, USER_ID, order_id, NOW, POLICY)

    async with sessionmaker() as session:
        saved = await disputes.saved_dispute(session, USER_ID, order_id)
        stranger = await disputes.saved_dispute(session, STRANGER_ID, order_id)
        order = await session.get(Order, order_id)

    assert (refund.outcome, refund.paused_at) == (RefundOutcome.PAUSED, NOW)
    assert order is not None
    assert order.state is OrderState.REFUND_REQUESTED
    assert saved is not None
    assert saved.reason is Reason.MISSING_ITEMS
    assert saved.evidence == (Evidence.CHAT, Evidence.VIDEO)
    assert saved.weight == (500, 120.0, 52.3)
    assert (saved.refund_requested, saved.refund_requested_at) == (True, NOW)
    assert stranger is None


async def test_a_second_refund_request_changes_nothing(sessionmaker: Sessions) -> None:
    order_id = await _tracked_order(sessionmaker)
    async with sessionmaker.begin() as session:
        await disputes.record_refund(session, USER_ID, order_id, NOW, POLICY)
    async with sessionmaker.begin() as session:
        again = await disputes.record_refund(
            session, USER_ID, order_id, NOW + timedelta(hours=1), POLICY
        )
        problem = await disputes.report_problem(session, USER_ID, order_id, NOW, POLICY)
        strangers = await disputes.record_refund(session, STRANGER_ID, order_id, NOW, POLICY)

    assert again.outcome is RefundOutcome.ALREADY_OPEN
    assert problem == []
    assert strangers.outcome is RefundOutcome.ORDER_GONE
