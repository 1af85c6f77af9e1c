"""One screen per answer (issue 17): the first message of every answer fits a phone.

Two buyers walk every flow side by side, Ann in English and Boris in Russian: Ann taps a
button by its label and Boris taps the button in the same place on his keyboard, so one
table drives both languages. The first message of each answer must take at most 20 phone
lines (38 columns, Chinese and emoji count double, a line per row of buttons): the verdict,
at most three findings, the next step, the Chinese to copy and the buttons. Details sit
behind a button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from bot.clock import Clock
from bot.domain.spec.builder import FIELDS
from bot.sandbox.server import Sandbox, StoredMessage
from tests.conftest import ChatUser, HandledUpdates
from tests.e2e.test_logistics import zto_trace
from tests.e2e.test_suppliers import OFFER_LINK, valid_uscc
from tests.one_screen import assert_fits_one_screen, phone_lines


@dataclass(frozen=True)
class Say:
    text: str
    ru: str | None = None  # what Boris types instead, when it differs


@dataclass(frozen=True)
class Tap:
    label: str  # on Ann's keyboard; Boris taps the button in the same place


@dataclass(frozen=True)
class Await:
    """Wait for a message the bot sends on its own (a reminder): the `nth` message the bot
    has sent this buyer, which may have come during an earlier step already."""

    nth: int


Step = Say | Tap | Await

MULTI_SIGNAL_PAYMENT = (
    "亲，走公司账户要交税，直接打我私人卡 6222 0212 3456 7890 128 可以便宜5%，"
    "或者加微信 wx_1688boss 扫码付款，今天付款明天发货"
)

FLOWS: dict[str, Sequence[Step]] = {
    "start": [Say("/start")],
    "help": [Say("/help")],
    "menu": [Say("/menu")],
    "payment, many signals": [Say(f"/pay {MULTI_SIGNAL_PAYMENT}")],
    "payment, pasted without a command": [Say(MULTI_SIGNAL_PAYMENT)],
    "payment, crypto": [Say("/pay Please send USDT TRC20 to our wallet, faster than Alibaba")],
    "payment, inside 1688": [Say("/pay 请直接在1688上拍下付款，我改价后您再支付，平台担保交易")],
    "link check": [Say(OFFER_LINK)],
    "lookalike link": [Say("login here: https://detail.1688.com.verify-order.top/offer/1.html")],
    "scorecard": [
        Say("/check " + OFFER_LINK),
        Tap("Check this supplier"),
        Tap("超级工厂"),
        Tap("验厂报告"),
        Tap("Done"),
        Say("生产、加工：塑料制品；销售：日用百货"),
        Say(valid_uscc("91330782MA2D" + "12345")),
        Say("义乌市某某日用品有限公司"),
        Say("义乌市某某日用品有限公司"),
        Say("张伟"),
        Tap("Everyday"),
        Say("35%"),
        Tap("Yes, there is one"),
        Tap("refused"),
        Tap("Don't know"),
    ],
    "register report": [
        Say("/register"),
        Tap("I bought it"),
        Tap("virtual number"),
        Tap("Someone else's Alipay"),
        Tap("Transfers straight"),
    ],
    "dispute, reason": [Say("/track 5d bags"), Tap("Problem")],
    "dispute, refund step": [Say("/track 5d bags"), Tap("Problem"), Tap("Items missing")],
    "dispute, evidence": [
        Say("/track 5d bags"),
        Tap("Problem"),
        Tap("Items missing"),
        Tap("I clicked 申请退款"),
    ],
    "dispute, verdict": [
        Say("/track 5d bags"),
        Tap("Problem"),
        Tap("Items missing"),
        Tap("I clicked 申请退款"),
        Tap("AliWangWang"),
        Tap("Unboxing video"),
        Tap("Done"),
        Say("500, 120, 52.3"),
    ],
    "spec": [
        Say("/spec"),
        Say("vacuum flask 500ml"),
        Say("304 stainless inside, 201 outside ok"),
        Say("about 350g per pc"),
        *(Tap("⏭") for _ in FIELDS[3:-1]),
        Say("before 15 jan 2027 pls"),
    ],
    "ip check": [Say("/ip 耐克 AJ1 莆田纯原 真标 男鞋")],
    "order card": [Say("/track 6d 23h lamps")],
    "reminder": [Say("/track 2d cups"), Await(nth=2)],
    "order list": [Say("/track 3d cups"), Say("/track 6d plates"), Say("/orders")],
    "guide answer": [Say("How do I use 延长收货?", ru="Как продлить срок получения?")],
    "logistics trace": [Say("/track 5d vases"), Say("__TRACE__")],
    "timezone": [Say("/timezone")],
    "quiet hours": [Say("/quiet")],
    "privacy": [Say("/privacy")],
    "saved supplier checks": [Say("/suppliers")],
    "warehouse": [Say("/warehouse")],
    "language": [Say("/language")],
    "forget me": [Say("/forgetme")],
    "cancel": [Say("/spec"), Say("/cancel")],
    "not understood": [Say("asdf qwerty zxcv")],
    "which order for a trace": [
        *(Say(f"/track {n + 2}d order {n}") for n in range(5)),
        Say("__TRACE__"),
    ],
}


async def _step(
    ann: ChatUser, boris: ChatUser, step: Step, clock: Clock
) -> tuple[list[StoredMessage], list[StoredMessage]]:
    if isinstance(step, Await):
        return await _nth_message(ann, step.nth), await _nth_message(boris, step.nth)
    if isinstance(step, Say):
        english, russian = step.text, step.ru or step.text
        if english == "__TRACE__":
            english = russian = zto_trace(clock.now(), hours_ago=2)
        return await ann.says(english), await boris.says(russian)
    where = _button_place(ann, step.label)
    return await ann.taps(step.label), await _tap_at(boris, *where)


def _button_place(user: ChatUser, label: str) -> tuple[int, int]:
    for message in reversed(user.sandbox.bot_messages(user.user_id)):
        rows = (message.reply_markup or {}).get("inline_keyboard") or []
        for r, row in enumerate(rows):
            for c, button in enumerate(row):
                if label.lower() in button["text"].lower():
                    return r, c
    raise AssertionError(f"no button {label!r} in {user.buttons()}")


async def _tap_at(user: ChatUser, row: int, column: int) -> list[StoredMessage]:
    for message in reversed(user.sandbox.bot_messages(user.user_id)):
        rows = (message.reply_markup or {}).get("inline_keyboard") or []
        if rows:
            button = rows[row][column]
            update = await user.sandbox.press_button(
                user.user_id, message.message_id, button["callback_data"]
            )
            return await user.replies(update)
    raise AssertionError("Boris has no keyboard to tap")


async def _nth_message(user: ChatUser, nth: int) -> list[StoredMessage]:
    def sent() -> list[StoredMessage]:
        return user.sandbox.bot_messages(user.user_id)

    await user.sandbox.wait_for(lambda: len(sent()) >= nth, timeout=30)
    return [sent()[nth - 1]]


async def walk(
    ann: ChatUser, boris: ChatUser, steps: Sequence[Step], clock: Clock
) -> tuple[list[StoredMessage], list[StoredMessage]]:
    """Both buyers take every step; the answers to the last one."""
    answers: tuple[list[StoredMessage], list[StoredMessage]] = ([], [])
    for step in steps:
        answers = await _step(ann, boris, step, clock)
    return answers


def assert_both_fit(flow: str, english: list[StoredMessage], russian: list[StoredMessage]) -> None:
    """Each buyer got an answer, and its first message fits; `-s` shows the measures."""
    for buyer, answer in (("en", english), ("ru", russian)):
        assert answer, f"{buyer}: no answer to the last step of {flow!r}"
        print(f"\nLINES {flow} {buyer} {[phone_lines(m) for m in answer]}")
    for answer in (english, russian):
        assert_fits_one_screen(answer[0])


@pytest.mark.parametrize("flow", list(FLOWS))
async def test_the_first_message_of_every_answer_fits_one_phone_screen(
    flow: str, ann: ChatUser, boris: ChatUser, clock: Clock, handled: HandledUpdates
) -> None:
    english, russian = await walk(ann, boris, FLOWS[flow], clock)

    assert_both_fit(flow, english, russian)


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_the_welcome_fits_with_the_longest_name_and_time_zone(
    language: str, sandbox: Sandbox, handled: HandledUpdates
) -> None:
    buyer = ChatUser(
        sandbox,
        user_id=1077,
        first_name="Wolfeschlegelsteinhausenbergerdorff" * 2,
        language_code=language,
        handled=handled,
    )
    await buyer.says("/timezone America/Argentina/Buenos_Aires")

    (welcome,) = await buyer.says("/start")

    assert "Wolfeschlegelst…" in (welcome.text or "")
    assert_fits_one_screen(welcome)
