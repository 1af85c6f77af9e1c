"""A button carries ids, and a modified client can send any id: another user's order or
saved check is refused, and nothing of it is shown or changed.

Already covered elsewhere: test_orders (ord|<id>|ok), test_disputes (every dsp step and
ord|<id>|problem), test_payments (payfb on another user's check), test_suppliers (supl).
Here: every other order-card action, and that nothing of the other user's data leaks.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.context import BotApplication
from bot.db.models import Order, OrderEvent, PaymentCheckRecord, Reminder, SupplierCheckRecord
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, texts

OFFER_LINK = "https://detail.1688.com/offer/653487692354.html"
PERSONAL_CARD = "老板说付到他私人账户，卡号 6222 0212 3456 7890 128，可以便宜5%"
SECRET_LABEL = "secretmugs"
# Every action an order card, a reminder or a delete confirmation can carry.
ORDER_ACTIONS = (
    "card",
    "edit",
    "del",
    "delyes",
    "sign",
    "ok",
    "refund",
    "escalate",
    "close",
    "ext3",
    "snz1",
)


@pytest.fixture
def flood_limits() -> FloodLimits:
    # Forged presses come faster than any thumb.
    return FloodLimits(private_per_second=50, private_burst=50)


async def order_snapshot(bot: BotApplication, user_id: int) -> list[Any]:
    """Everything about the user's orders that a button could change."""
    async with bot.bot_data.sessions() as session:
        orders = (await session.scalars(select(Order).where(Order.user_id == user_id))).all()
        snapshot: list[Any] = []
        for order in orders:
            reminders = await session.execute(
                select(Reminder.id, Reminder.kind, Reminder.due_at, Reminder.status)
                .where(Reminder.order_id == order.id)
                .order_by(Reminder.id)
            )
            events = await session.scalars(
                select(OrderEvent.kind).where(OrderEvent.order_id == order.id)
            )
            snapshot.append(
                (
                    order.id,
                    order.label,
                    order.state,
                    order.deadline_at,
                    order.extension_days,
                    order.paused_seconds,
                    order.pause_started_at,
                    order.signed_at,
                    order.updated_at,
                    reminders.all(),
                    sorted(events),
                )
            )
        return snapshot


def last_answer(sandbox: Sandbox) -> dict[str, Any]:
    return [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-1].params


async def test_no_order_card_action_works_on_another_users_order(
    ann: ChatUser, carl: ChatUser, bot: BotApplication, sandbox: Sandbox
) -> None:
    await ann.says(f"/track 5d {SECRET_LABEL}")
    before = await order_snapshot(bot, ann.user_id)
    order_id = before[0][0]
    await carl.says("/track 3d plates")
    await carl.receives("⏰")  # three days or less: warned at once, not only at the stages

    for action in ORDER_ACTIONS:
        replies = await carl.taps_forged(f"ord|{order_id}|{action}")
        answer = last_answer(sandbox)
        assert answer.get("text") == "I can't find that order.", action
        assert answer.get("show_alert") is True, action
        assert SECRET_LABEL not in texts(replies), action
    # Had "edit" been taken, this would rename Ann's order.
    await carl.says("renamed by carl")

    assert await order_snapshot(bot, ann.user_id) == before
    assert not any(SECRET_LABEL in (m.text or "") for m in sandbox.messages(carl.user_id))


async def test_another_users_saved_supplier_check_shows_nothing_of_it(
    ann: ChatUser, carl: ChatUser, bot: BotApplication, sandbox: Sandbox
) -> None:
    await ann.says("/check " + OFFER_LINK)
    replies = await ann.taps("Check this supplier")
    while "Overall" not in texts(replies):
        replies = await ann.taps("Don't know")
    async with bot.bot_data.sessions() as session:
        (anns,) = (
            await session.scalars(
                select(SupplierCheckRecord).where(SupplierCheckRecord.user_id == ann.user_id)
            )
        ).all()
        facts_before = dict(anns.facts)
    await carl.says("/suppliers")

    replies = await carl.taps_forged(f"supl|{anns.id}")

    assert last_answer(sandbox).get("text") == "I can't find that check."
    assert "653487692354" not in texts(replies)
    async with bot.bot_data.sessions() as session:
        after = await session.get(SupplierCheckRecord, anns.id)
    assert after is not None
    assert (after.user_id, after.facts) == (ann.user_id, facts_before)


async def test_no_feedback_label_lands_on_another_users_payment_check(
    ann: ChatUser, carl: ChatUser, bot: BotApplication, sandbox: Sandbox
) -> None:
    await ann.says(f"/pay {PERSONAL_CARD}")
    async with bot.bot_data.sessions() as session:
        (anns,) = (
            await session.scalars(
                select(PaymentCheckRecord).where(PaymentCheckRecord.user_id == ann.user_id)
            )
        ).all()
    await carl.says("/pay hi")

    for label in ("right", "too_strict", "too_lenient"):
        await carl.taps_forged(f"payfb|{anns.id}|{label}")
        assert "can't find that check" in last_answer(sandbox).get("text", ""), label

    async with bot.bot_data.sessions() as session:
        after = await session.get(PaymentCheckRecord, anns.id)
    assert after is not None
    assert (after.feedback, after.feedback_at) == (None, None)
