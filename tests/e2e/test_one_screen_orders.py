"""One screen per answer (issue 17) for the order's own screens, in the states the main
table does not reach: the dispute's later steps and its summary, order cards of a paused
order, of a guessed ship time and of an extension, reminders for a long name, a guessed
ship time and a passed deadline, and the "which order?" question with five orders.

Ann (English) and Boris (Russian) walk each row side by side, as in test_one_screen.py.
Besides fitting, the dispute's screens with two Chinese texts give each its own copy
button, and what moved into a collapsed quote is still in the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.clock import ShiftedClock
from bot.context import BotApplication
from bot.domain.disputes import Step, message_zh
from bot.domain.timezones import BEIJING
from bot.reminders.alerts import AdminAlerts
from bot.render.phone_screen import ONE_SCREEN, collapsed_spans, message_lines
from bot.sandbox.server import Sandbox, StoredMessage
from tests.conftest import ChatUser, HandledUpdates
from tests.e2e.test_one_screen import Await, Say, Tap, assert_both_fit, walk
from tests.e2e.test_one_screen import Step as Walk
from tests.e2e.test_reminders_exact import reminders_settle
from tests.one_screen import assert_fits_one_screen, phone_lines

LONG_NAME = "stainless steel vacuum mugs, 500 pcs, blue"
TO_EVIDENCE: list[Walk] = [
    Say("/track 5d bags"),
    Tap("Problem"),
    Tap("Items missing"),
    Tap("I clicked 申请退款"),
]
TO_WEIGHT = [*TO_EVIDENCE, Tap("AliWangWang"), Tap("Unboxing video"), Tap("Done")]
FIVE_ORDERS = [Say(f"/track {days}d order {days}") for days in range(3, 8)]

FLOWS: dict[str, Sequence[Walk]] = {
    "dispute, weight step": TO_WEIGHT,
    "dispute, keep open without a weight": [*TO_WEIGHT, Tap("Skip")],
    "dispute, a weight that fits": [*TO_WEIGHT, Say("500, 120, 61")],
    "dispute, a heavy parcel": [*TO_WEIGHT, Say("500, 120, 80")],
    "dispute, summary": [*TO_WEIGHT, Say("500, 120, 52.3"), Tap("Remind me")],
    "dispute, summary without an order": [
        Say("/dispute"),
        Tap("Skip"),
        Tap("Skip"),
        Tap("Skip"),
        Tap("Skip"),
        Tap("Skip"),
    ],
    "dispute, order picker": [*FIVE_ORDERS, Say("/dispute")],
    "order card, paused": [*TO_EVIDENCE, Say("/orders"), Tap("bags")],
    "order card, ship time assumed": [
        Say("/track"),
        Tap("Shipped yesterday"),
        Say(LONG_NAME),
    ],
    "order card, extended": [Say("/track 5d lamps"), Tap("+5d"), Tap("Yes")],
    "order list, five orders": [*FIVE_ORDERS, Say("/orders")],
    "reminder, long name": [Say(f"/track 2d {LONG_NAME}"), Await(nth=2)],
    "logistics, which of five orders": [*FIVE_ORDERS, Say("__TRACE__")],
    "logistics, a flagged parcel and five orders": [
        Say("/warehouse"),
        Say("Yiwu"),
        Tap("Skip"),
        *FIVE_ORDERS,
        Say("__TRACE__"),
    ],
}


@pytest.mark.parametrize("flow", list(FLOWS))
async def test_the_orders_screens_fit_one_phone_screen(
    flow: str, ann: ChatUser, boris: ChatUser, clock: ShiftedClock, handled: HandledUpdates
) -> None:
    english, russian = await walk(ann, boris, FLOWS[flow], clock)

    assert_both_fit(flow, english, russian)


async def test_a_reminder_for_a_guessed_ship_time_fits(
    ann: ChatUser, boris: ChatUser, clock: ShiftedClock
) -> None:
    """A day picked without its hour is planned from the start of that day: the reminder
    offers to set the time, as the card does, and still fits."""
    day = (clock.now().astimezone(BEIJING) - timedelta(days=8)).date()
    steps = [Say("/track"), Tap("Pick the day"), Tap(day.strftime("%a %d %b")), Say(LONG_NAME)]

    reminders = await walk(ann, boris, [*steps, Await(nth=3)], clock)

    for (reminder,) in reminders:
        print(f"\nLINES reminder, ship time assumed {phone_lines(reminder)}")
        rows = (reminder.reply_markup or {}).get("inline_keyboard") or []
        assert any(b["callback_data"].endswith("|shiptime") for row in rows for b in row)
        assert_fits_one_screen(reminder)


async def test_the_passed_deadline_reminder_fits(
    ann: ChatUser,
    boris: ChatUser,
    clock: ShiftedClock,
    bot: BotApplication,
    sandbox: Sandbox,
) -> None:
    await walk(ann, boris, [Say(f"/track 2d {LONG_NAME}"), Await(nth=2)], clock)
    await reminders_settle(bot, sandbox)

    clock.jump(timedelta(days=2, hours=1))
    await reminders_settle(bot, sandbox)

    passed = await walk(ann, boris, [Await(nth=3)], clock)
    for answer in passed:
        print(f"\nLINES reminder, deadline passed {[phone_lines(m) for m in answer]}")
        text = answer[0].text or ""
        assert "passed" in text or "прошёл" in text
        assert "Beijing" in text or "Пекин" in text, "the deadline in Beijing time"
        assert "UTC" in text, "and in the buyer's own time"
        assert_fits_one_screen(answer[0])


async def alone(user: ChatUser, steps: Sequence[Walk]) -> list[StoredMessage]:
    """One buyer takes the steps (typed or tapped); the answer to the last."""
    answer: list[StoredMessage] = []
    for step in steps:
        if isinstance(step, Say):
            answer = await user.says(step.text)
        elif isinstance(step, Tap):
            answer = await user.taps(step.label)
    return answer


async def test_the_dispute_follow_up_fits_and_copies_its_complaint(
    ann: ChatUser,
    boris: ChatUser,
    clock: ShiftedClock,
    bot: BotApplication,
    sandbox: Sandbox,
) -> None:
    await walk(ann, boris, [*TO_WEIGHT, Tap("Skip"), Tap("Remind me")], clock)
    count = [len(user.sandbox.bot_messages(user.user_id)) for user in (ann, boris)]

    clock.jump(timedelta(days=3, minutes=5))
    await reminders_settle(bot, sandbox)

    english, russian = await walk(ann, boris, [Await(nth=count[0] + 1)], clock)
    for (followup,) in (english, russian):
        print(f"\nLINES dispute follow-up {phone_lines(followup)}")
        assert message_zh(Step.ESCALATE) in (followup.text or "")
        assert [text for _, text in copy_buttons(followup)] == [message_zh(Step.ESCALATE)]
        assert_fits_one_screen(followup)


async def test_the_weight_maths_comes_first_and_the_hedge_opens_on_a_tap(
    ann: ChatUser,
) -> None:
    (verdict,) = await alone(ann, [*TO_WEIGHT, Say("500, 120, 52.3")])
    text = verdict.text or ""
    (quote,) = collapsed_spans(text, verdict.entities or [])
    details = text[quote.start : quote.end]

    assert text.startswith("⚠️ Lighter than the order: 52.3 kg vs ~60.0 kg")
    assert "64 units" in text[: quote.start]
    assert message_zh(Step.KEEP_OPEN) in text[: quote.start], "the reply to copy is in view"
    assert "One translated source" in details, "the hedged timing is one tap away"


def copy_buttons(message: StoredMessage) -> list[tuple[str, str]]:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return [
        (button["text"], button["copy_text"]["text"])
        for row in rows
        for button in row
        if "copy_text" in button
    ]


async def test_step_2_gives_each_chinese_text_its_own_copy_button(
    ann: ChatUser, boris: ChatUser, clock: ShiftedClock
) -> None:
    english, russian = await walk(ann, boris, TO_EVIDENCE, clock)

    told, uploaded = message_zh(Step.REFUND), message_zh(Step.EVIDENCE)
    for (step,) in (english, russian):
        assert told in (step.text or "")
        assert uploaded in (step.text or "")
        copies = copy_buttons(step)
        assert [text for _, text in copies] == [told, uploaded]
        labels = [label for label, _ in copies]
        assert told[:8] in labels[0]
        assert uploaded[:8] in labels[1]


async def test_ticking_evidence_keeps_both_copy_buttons_until_the_step_is_left(
    ann: ChatUser, clock: ShiftedClock
) -> None:
    await alone(ann, TO_EVIDENCE)

    (ticked,) = await ann.taps("Photos")
    assert len(copy_buttons(ticked)) == 2

    await ann.taps("Done")
    (back,) = await ann.taps("Back")
    assert [text for _, text in copy_buttons(back)] == [message_zh(Step.EVIDENCE)], (
        "the refund's message is no longer above the step"
    )


async def test_the_summary_keeps_the_details_one_tap_away(ann: ChatUser) -> None:
    (summary,) = await alone(ann, [*TO_WEIGHT, Say("500, 120, 52.3"), Tap("Remind me")])
    text = summary.text or ""
    collapsed = [e for e in summary.entities or [] if e["type"] == "expandable_blockquote"]

    assert len(collapsed) == 2, "the case text and the details open on a tap"
    assert "Lighter than the order" in text, "the weight maths is in the details"
    assert message_zh(Step.FOLLOW_UP) in text
    copies = [copied for _, copied in copy_buttons(summary)]
    assert len(copies) == 2
    assert "少件/漏发" in copies[0]
    assert copies[1] == message_zh(Step.FOLLOW_UP)


def test_an_admin_alert_about_a_storm_of_failures_fits() -> None:
    failure = (
        "reminder #7 (order #42, user 581, t-24h, deadline 2026-12-08T23:21+00:00) failed: "
        "BadRequest: Can't parse entities: <b> not closed"
    )
    text = AdminAlerts._compose([failure] * 50)

    assert message_lines(text, 0) <= ONE_SCREEN
    assert failure in text, "each failure shown is shown whole"
    shown = text.count("• ")
    assert f"… and {50 - shown} more (see the log)" in text
