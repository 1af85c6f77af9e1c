"""A buyer whose order went wrong walks through the dispute: refund first, evidence, the
weight check, a follow-up reminder, and the case in Chinese to paste into 申请客服介入."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import Clock
from bot.context import BotApplication
from bot.db.models import Order, OrderEvent, Reminder
from bot.domain.disputes import Step, message_zh
from bot.reminders.engine import ReminderRow
from bot.render.i18n import translate
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from handlers import disputes, orders
from tests.conftest import ChatUser, texts

PENDING = "pending"


@pytest.fixture
def flood_limits() -> FloodLimits:
    # People tap a button every few seconds; the tests tap at once.
    return FloodLimits(private_per_second=20, private_burst=20)


@pytest.fixture(autouse=True)
async def no_handler_errors(sandbox: Sandbox) -> AsyncIterator[None]:
    """A handler that raised shows up as the error handler's apology."""
    yield
    apologies = {translate(language, "error_apology") for language in ("en", "ru")}
    sent = [c.params.get("text") for c in sandbox.calls if c.method == "sendMessage"]
    assert not apologies & set(sent), "a handler raised"


async def orders_of(bot: BotApplication, user_id: int) -> list[Order]:
    async with bot.bot_data.sessions() as session:
        query = select(Order).where(Order.user_id == user_id).order_by(Order.id)
        return list(await session.scalars(query))


async def events_of(bot: BotApplication, order_id: int) -> dict[str, str | None]:
    """The latest detail of each kind of event."""
    async with bot.bot_data.sessions() as session:
        rows = await session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
        )
        return {row.kind: row.detail for row in rows}


async def reminders_of(
    bot: BotApplication, order_id: int, kind: str | None = None
) -> list[Reminder]:
    async with bot.bot_data.sessions() as session:
        query = select(Reminder).where(Reminder.order_id == order_id, Reminder.status == PENDING)
        if kind is not None:
            query = query.where(Reminder.kind == kind)
        return list(await session.scalars(query.order_by(Reminder.due_at)))


async def test_the_whole_walk_from_the_order_card(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says("/track 5d bags")
    (order,) = await orders_of(bot, ann.user_id)
    assert await reminders_of(bot, order.id), "escrow reminders planned"

    walk = await ann.taps("Problem")
    assert "What went wrong" in texts(walk)
    refund = await ann.taps("Items missing")
    assert "少件/漏发" in texts(refund)
    assert "申请退款" in texts(refund)
    assert "凭证见附件" in texts(refund), "the refund note to paste"

    paused = await ann.taps("I clicked 申请退款")

    assert "paused" in texts(paused)
    (order,) = await orders_of(bot, ann.user_id)
    assert order.state == "refund_requested"
    assert order.pause_started_at is not None
    assert await reminders_of(bot, order.id) == [], "a paused clock has no escrow reminders"

    await ann.taps("AliWangWang")
    toggled = await ann.taps("Unboxing video")
    marked = [label for label in ann.buttons() if label.startswith("✅")]
    assert len(marked) == 2, texts(toggled)
    weight_question = await ann.taps("Done")
    assert "2 of 4" in texts(weight_question)
    assert "most objective proof" in texts(weight_question), "missing items: the scale helps"

    verdict = await ann.says("500, 120, 52.3")
    assert "Lighter than the order" in texts(verdict)
    assert "60.0 kg" in texts(verdict)
    assert "52.3 kg" in texts(verdict)
    assert "64 units" in texts(verdict)
    assert "撤销退款申请" in texts(verdict), "never withdraw the refund on a promise"

    before = clock.now()
    summary = await ann.taps("Remind me in 3 days")

    text = texts(summary)
    assert "Your dispute – bags" in text
    assert "申请客服介入" in text
    assert "少件/漏发" in text
    assert "旺旺聊天记录" in text
    assert "开箱视频" in text
    assert "52.3kg" in text, "the weight figures are in the Chinese case text"
    (followup,) = await reminders_of(bot, order.id, disputes.REMINDER_KIND)
    expected = order.pause_started_at + timedelta(days=3)
    assert abs(followup.due_at - expected) < timedelta(minutes=1)
    assert followup.due_at > before
    assert followup.deadline_at is None
    assert (followup.user_id, followup.chat_id) == (ann.user_id, order.chat_id)
    events = await events_of(bot, order.id)
    assert events["dispute_reason"] == "missing_items"
    assert events["dispute_evidence"] == "chat,video"
    assert events["dispute_weight"] == "500,120,52.3"
    assert "request_refund" in events
    assert "dispute_followup" in events


async def test_the_walk_in_russian_from_the_dispute_command(
    boris: ChatUser, bot: BotApplication
) -> None:
    await boris.says("/track 5d сумки")
    await boris.says("/track 6d кружки")

    picker = await boris.says("/dispute")
    assert "С каким заказом проблема" in texts(picker)
    await boris.taps("кружки")
    refund = await boris.taps("Недостача")
    assert "Шаг 1" in texts(refund)
    assert "少件/漏发" in texts(refund)

    paused = await boris.taps("申请退款")

    assert "на паузе" in texts(paused)
    mugs = (await orders_of(bot, boris.user_id))[1]
    assert mugs.pause_started_at is not None
    await boris.taps("Фото")
    weight_question = await boris.taps("Готово")
    assert "1 из 4" in texts(weight_question)
    verdict = await boris.says("500, 120, 52.3")
    assert "Легче" in texts(verdict)
    summary = await boris.taps("Напомнить")
    assert "Ваш спор – кружки" in texts(summary)
    assert "申请客服介入" in texts(summary)
    assert len(await reminders_of(bot, mugs.id, disputes.REMINDER_KIND)) == 1
    bags = (await orders_of(bot, boris.user_id))[0]
    assert bags.pause_started_at is None, "only the chosen order is paused"


async def test_the_follow_up_survives_a_re_plan(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track 5d cups")
    await ann.taps("Problem")
    await ann.taps("Skip")
    await ann.taps("I clicked 申请退款")
    await ann.taps("Skip")
    await ann.taps("Skip")
    await ann.taps("Remind me")
    (order,) = await orders_of(bot, ann.user_id)
    assert await reminders_of(bot, order.id, disputes.REMINDER_KIND)

    await ann.says("/quiet 0-8")  # re-plans every open order's reminders

    assert await reminders_of(bot, order.id, disputes.REMINDER_KIND)


async def test_every_step_can_be_skipped_without_an_order(ann: ChatUser) -> None:
    start = await ann.says("/dispute")
    assert "isn't linked to a tracked order" in texts(start)

    for expected in ("apply for a refund", "evidence", "weight check", "keep the refund open"):
        step = await ann.taps("Skip")
        assert expected in texts(step), texts(step)
        assert not any("Remind me" in label for label in ann.buttons())

    summary = await ann.taps("Skip")
    text = texts(summary)
    assert "Your dispute – untracked order" in text
    assert "not chosen" in text
    assert "not yet" in text, "the refund is still to be requested"
    assert "现申请平台介入" in text


async def test_skipping_every_step_of_an_order_changes_nothing(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("/track 5d lamps")
    (before,) = await orders_of(bot, ann.user_id)
    planned = [r.due_at for r in await reminders_of(bot, before.id)]
    picker = await ann.says("/dispute")
    assert "Which order" in texts(picker)
    await ann.taps("lamps")

    for _ in range(4):
        await ann.taps("Skip")
    summary = await ann.taps("Skip")

    assert "Your dispute – lamps" in texts(summary)
    (after,) = await orders_of(bot, ann.user_id)
    assert (after.state, after.pause_started_at) == ("shipped", None)
    assert [r.due_at for r in await reminders_of(bot, after.id)] == planned
    assert not set(await events_of(bot, after.id)) & {
        "dispute_reason",
        "dispute_evidence",
        "dispute_weight",
        "dispute_followup",
    }


async def test_another_users_order_is_refused(
    ann: ChatUser, boris: ChatUser, bot: BotApplication, sandbox: Sandbox
) -> None:
    await ann.says("/track 5d secret")
    (order,) = await orders_of(bot, ann.user_id)
    await boris.says("/dispute")

    for forged in (
        f"dsp|0|order|{order.id}",
        f"dsp|{order.id}|reason|missing_items",
        f"dsp|{order.id}|refund|done",
        f"dsp|{order.id}|open|go",
        f"ord|{order.id}|problem",
    ):
        await boris.taps_forged(forged)
        answer = [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-1]
        assert answer.params.get("text") == "Не нахожу такой заказ.", forged

    (unchanged,) = await orders_of(bot, ann.user_id)
    assert (unchanged.state, unchanged.pause_started_at) == ("shipped", None)
    assert set(await events_of(bot, order.id)) == {"created"}


async def test_the_walk_survives_losing_its_memory(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track 5d fabric")
    await ann.taps("Problem")
    await ann.taps("Wrong item")
    await ann.taps("I clicked 申请退款")
    await ann.taps("Photos")
    await ann.taps("Done")
    # As after a restart: the user's memory is gone, the database is not.
    bot.user_data[ann.user_id].flow.clear()

    again = await ann.taps("Skip")  # the weight step's button, on the old message

    assert "keep the refund open" in texts(again)
    resumed = await ann.says("/dispute")
    assert "Which order" in texts(resumed)
    walk = await ann.taps("fabric")
    assert "Picking up where you left off" in texts(walk)
    assert "weight check" in texts(walk), "reason, refund and evidence are remembered"
    await ann.taps("Skip")
    summary = await ann.taps("Skip")
    assert "发错货" in texts(summary)
    assert "照片" in texts(summary)
    assert "requested" in texts(summary)


async def test_a_weight_that_cannot_be_read_is_explained(ann: ChatUser) -> None:
    await ann.says("/dispute")
    await ann.taps("Empty box")
    await ann.taps("Skip")
    await ann.taps("Done")

    unclear = await ann.says("about fifty kilos")

    assert "I need three numbers" in texts(unclear)
    fits = await ann.says("100, 500, 52")
    assert "The weight fits the order" in texts(fits)


async def test_cancel_leaves_the_walk(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/dispute")
    await ann.taps("Quality problem")

    await ann.says("/cancel")
    after = await ann.says("500, 120, 52.3")

    assert "dispute" not in bot.user_data[ann.user_id].flow
    assert "Lighter" not in texts(after), "the typed numbers are not read as a weight"


async def test_the_order_card_route_is_the_one_disputes_answers() -> None:
    assert disputes.ORDER_CARD == orders.CARD
    assert disputes.PROBLEM_BUTTON.match(orders.CARD.pack(12, "problem"))
    assert not disputes.PROBLEM_BUTTON.match(orders.CARD.pack(12, "ok"))


def _row(order: Order, *, in_doubt: bool = False) -> ReminderRow:
    now = datetime.now(UTC)
    return ReminderRow(
        id=1,
        order_id=order.id,
        user_id=order.user_id,
        chat_id=order.chat_id,
        kind=disputes.REMINDER_KIND,
        deadline_at=None,
        due_at=now,
        attempts=1,
        in_doubt=in_doubt,
    )


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("refund_requested", "申请客服介入"),
        ("platform_intervention", "客服介入"),
        ("problem", "申请客服介入"),
    ],
)
def test_the_follow_up_reminder_text(state: str, expected: str) -> None:
    order = Order(id=7, user_id=1, chat_id=1, label="bags", state=state)

    text = disputes.render_dispute_reminder(order, _row(order), "en")

    assert text is not None
    assert "bags" in text
    assert expected in text
    repeat = disputes.render_dispute_reminder(order, _row(order, in_doubt=True), "ru")
    assert repeat is not None
    assert repeat.startswith("(повтор")


@pytest.mark.parametrize("state", ["closed", "inspected_ok"])
def test_no_follow_up_once_the_dispute_is_over(state: str) -> None:
    order = Order(id=7, user_id=1, chat_id=1, label="bags", state=state)

    assert disputes.render_dispute_reminder(order, _row(order), "en") is None


def test_the_reminder_buttons_lead_back_into_the_walk() -> None:
    order = Order(id=7, user_id=1, chat_id=1, label="bags", state="refund_requested")

    keyboard = disputes.dispute_reminder_keyboard(order, "en")

    buttons = [button for row in keyboard.inline_keyboard for button in row]
    data = [button.callback_data for button in buttons if button.callback_data is not None]
    assert data == ["dsp|7|open|go", "ord|7|card"]
    copied = [button.copy_text.text for button in buttons if button.copy_text is not None]
    assert copied == [message_zh(Step.ESCALATE)], "the complaint to paste, one tap away"
