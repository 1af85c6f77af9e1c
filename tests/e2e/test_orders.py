"""A buyer tracks an order and is reminded before the escrow pays the seller."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import BotApplication
from bot.clock import Clock
from bot.config import Settings
from bot.db.models import Order, Reminder, ReminderStatus
from bot.domain.escrow import OrderState
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, texts


@pytest.fixture
def flood_limits() -> FloodLimits:
    # People tap a button every few seconds; the tests tap at once.
    return FloodLimits(private_per_second=20, private_burst=20)


async def orders_of(bot: BotApplication, user_id: int) -> list[Order]:
    async with bot.bot_data.sessions() as session:
        return list(await session.scalars(select(Order).where(Order.user_id == user_id)))


async def reminders_of(
    bot: BotApplication, order_id: int, status: ReminderStatus = ReminderStatus.PENDING
) -> list[Reminder]:
    async with bot.bot_data.sessions() as session:
        rows = await session.scalars(
            select(Reminder)
            .where(Reminder.order_id == order_id, Reminder.status == status)
            .order_by(Reminder.due_at)
        )
        return list(rows)


async def test_track_with_a_countdown_plans_every_stage(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    replies = await ann.says("/track 还剩6天23小时 mugs")

    card = texts(replies)
    assert "mugs" in card
    assert "Beijing" in card
    assert "6d 2" in card or "6d 23h" in card
    (order,) = await orders_of(bot, ann.user_id)
    assert order.deadline_at is not None
    expected = clock.now() + timedelta(days=6, hours=23)
    assert abs(order.deadline_at - expected) < timedelta(minutes=1)
    stages = await reminders_of(bot, order.id)
    assert [order.deadline_at - r.due_at for r in stages] == [
        timedelta(hours=72),
        timedelta(hours=24),
        timedelta(hours=6),
        timedelta(hours=1),
    ]


async def test_the_button_flow_shipped_today(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track")
    await ann.taps("Shipped today")
    replies = await ann.says("phone cases")

    assert "phone cases" in texts(replies)
    (order,) = await orders_of(bot, ann.user_id)
    assert order.shipped_at is not None
    assert order.deadline_at is not None
    assert abs(order.deadline_at - order.shipped_at - timedelta(days=10)) < timedelta(seconds=1)


async def test_a_deadline_already_close_warns_at_once(ann: ChatUser, sandbox: Sandbox) -> None:
    await ann.says("/track 2h30m fabric")

    warning = await sandbox.wait_for(
        lambda: next(
            (m for m in sandbox.bot_messages(ann.user_id) if "⏰" in (m.text or "")), None
        ),
        timeout=15,
    )

    assert "fabric" in warning.text
    assert "延长收货" in warning.text
    assert any("+3d" in b["text"] for b in warning.inline_buttons())


async def test_delay_receiving_moves_the_deadline(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track 6d 23h lamps")
    (before,) = await orders_of(bot, ann.user_id)

    await ann.taps("+3d")
    await ann.taps("Yes, +3 days")

    (after,) = await orders_of(bot, ann.user_id)
    assert before.deadline_at is not None
    assert after.deadline_at is not None
    assert after.deadline_at - before.deadline_at == timedelta(days=3)
    stages = await reminders_of(bot, after.id)
    assert stages[-1].due_at == after.deadline_at - timedelta(hours=1)


async def test_inspected_ok_stops_the_reminders(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track 5d chairs")
    await ann.taps("Inspected OK")

    (order,) = await orders_of(bot, ann.user_id)
    assert order.state is OrderState.INSPECTED_OK
    assert await reminders_of(bot, order.id) == []


async def test_problem_then_refund_pauses_the_clock(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track 5d bags")
    problem = await ann.taps("Problem")
    assert "What went wrong" in texts(problem)
    await ann.taps("Items missing")

    paused = await ann.taps("I clicked 申请退款")

    assert "paused" in texts(paused)
    (order,) = await orders_of(bot, ann.user_id)
    assert order.pause_started_at is not None
    assert await reminders_of(bot, order.id) == []


async def test_orders_lists_time_left_and_opens_the_card(ann: ChatUser) -> None:
    await ann.says("/track 3d cups")
    await ann.receives("⏰")  # three days or less: warned at once, not only at the stages
    await ann.says("/track 6d plates")

    listing = await ann.says("/orders")

    assert "Your orders" in texts(listing)
    assert ann.buttons()[0].startswith("cups")
    card = await ann.taps("plates")
    assert "plates" in texts(card)


async def test_another_users_order_cannot_be_touched(
    ann: ChatUser, carl: ChatUser, bot: BotApplication, sandbox: Sandbox
) -> None:
    await ann.says("/track 5d secret")
    (order,) = await orders_of(bot, ann.user_id)
    await carl.says("/orders")

    await carl.taps_forged(f"ord|{order.id}|ok")

    answer = [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-1]
    assert "can't find that order" in answer.params.get("text", "")
    (unchanged,) = await orders_of(bot, ann.user_id)
    assert unchanged.state is OrderState.SHIPPED


async def test_delete_asks_first(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track 5d toys")
    await ann.taps("Delete")
    await ann.taps("Yes, delete")

    assert await orders_of(bot, ann.user_id) == []


async def test_an_unreadable_time_is_explained(ann: ChatUser) -> None:
    await ann.says("/track")

    replies = await ann.says("sometime next week maybe")

    assert "couldn't read a time" in texts(replies)


class TestRealTimeReminders:
    """The issue's acceptance case, shortened: offsets of 4 s and 2 s before a 6 s deadline."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(
            update={
                "reminder_offsets": [timedelta(seconds=4), timedelta(seconds=2)],
                "reminder_sweep_seconds": 1.0,
            }
        )

    async def test_both_reminders_arrive_on_time(
        self, ann: ChatUser, sandbox: Sandbox, clock: Clock
    ) -> None:
        started = clock.now()
        await ann.says("/track 6s test")

        def reminders() -> list[float] | None:
            sent = [
                call.time
                for call in sandbox.calls
                if call.method == "sendMessage" and call.ok and "⏰" in call.params.get("text", "")
            ]
            return sent if len(sent) >= 2 else None

        times = await sandbox.wait_for(reminders, timeout=15)

        offsets = [t - started.timestamp() for t in times[:2]]
        assert 1.5 <= offsets[0] <= 4.5, offsets
        assert 3.5 <= offsets[1] <= 6.5, offsets


# 03:06 is where the old version of this test failed (00:00-07:00 UTC): two stages then fall
# in the same quiet night and become one reminder, which the test had not expected.
@pytest.mark.parametrize(
    "start_moment",
    [
        datetime(2026, 12, 8, 3, 6, tzinfo=UTC),
        datetime(2026, 12, 8, 15, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
    ],
    ids=["03:06", "15:00", "new-years-eve"],
)
async def test_quiet_hours_move_night_reminders_earlier(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("/timezone UTC+0")
    await ann.says("/track 6d 23h night")
    (order,) = await orders_of(bot, ann.user_id)
    assert order.deadline_at is not None
    before = {r.kind: r.due_at for r in await reminders_of(bot, order.id)}

    replies = await ann.says("/quiet 0-23")

    assert "Quiet hours: 00:00–23:00" in texts(replies)
    after = {r.kind: r.due_at for r in await reminders_of(bot, order.id)}
    last_stage = min(before, key=lambda kind: order.deadline_at - before[kind])
    assert after[last_stage] == before[last_stage], "the last stage is never moved"
    moved = {kind: due for kind, due in after.items() if kind != last_stage}
    assert all(due.hour == 23 for due in moved.values()), "outside the quiet hours"
    for kind, planned in before.items():
        if kind == last_stage:
            continue
        # Never later, at most one night earlier: its own reminder, or one it merged into
        # because two stages fell in the same quiet night.
        assert any(planned - timedelta(days=1) < due <= planned for due in moved.values()), kind
    times = sorted(after.values())
    assert all(b - a >= timedelta(minutes=1) for a, b in itertools.pairwise(times))


async def test_quiet_hours_that_make_no_sense_are_explained(ann: ChatUser) -> None:
    replies = await ann.says("/quiet whenever")

    assert "couldn't read" in texts(replies)


async def test_a_pasted_countdown_starts_tracking(ann: ChatUser, bot: BotApplication) -> None:
    replies = await ann.says("还剩6天23小时59分 teapots")

    assert "teapots" in texts(replies)
    (order,) = await orders_of(bot, ann.user_id)
    assert order.countdown_deadline_at is not None


async def test_small_talk_with_numbers_is_not_a_countdown(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("I have 3 kids and 2 dogs")

    assert await orders_of(bot, ann.user_id) == []
