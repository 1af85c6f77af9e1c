"""Issue 16 through the real bot: one question when the payee is not said, the buyer's own
question answered from the guides, and no verdict for a message with no payment in it."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import BotApplication
from bot.db.models import PaymentCheckRecord
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser
from tests.one_screen import assert_fits_one_screen
from tests.vision.screenshots import needs_cjk_font, render_chat_screenshot

BANK_TRANSFER = "Please pay by bank transfer to the account below"


async def stored_verdicts(bot: BotApplication, user_id: int) -> list[str]:
    async with bot.bot_data.sessions() as session:
        rows = await session.scalars(
            select(PaymentCheckRecord).where(PaymentCheckRecord.user_id == user_id)
        )
        return [row.verdict for row in rows]


async def test_a_bank_transfer_without_a_payee_asks_then_a_person_is_high_risk(
    ann: ChatUser, bot: BotApplication
) -> None:
    replies = await ann.says(f"/pay {BANK_TRANSFER}")

    assert "whose name is on the account" in replies[-1].text
    assert ann.buttons()[:3] == ["Company", "A person", "Not said"]
    assert await stored_verdicts(bot, ann.user_id) == [], "no verdict before the answer"

    answered = await ann.taps("A person")

    assert "High risk" in answered[-1].text
    assert "You said: A person" in answered[-1].text
    assert "Your reply to the supplier" in answered[-1].text
    assert await stored_verdicts(bot, ann.user_id) == ["high_risk"]


async def test_a_company_account_stays_conditional(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says(BANK_TRANSFER)

    answered = await ann.taps("Company")

    assert "High risk" not in answered[-1].text
    assert await stored_verdicts(bot, ann.user_id) == ["conditional"]


async def test_the_question_in_russian(boris: ChatUser) -> None:
    replies = await boris.says("/pay Оплатите банковским переводом по реквизитам")

    assert "на чьё имя счёт" in replies[-1].text
    assert boris.buttons()[:3] == ["Компания", "Человек", "Не сказано"]
    answered = await boris.taps("Человек")
    assert "Вы ответили: Человек" in answered[-1].text


async def test_a_buyer_question_gets_the_guide_not_a_verdict(
    ann: ChatUser, bot: BotApplication
) -> None:
    replies = await ann.says("can I pay with paypal on 1688?")

    text = replies[-1].text
    assert "High risk" not in text
    assert "report the seller" not in text.lower()
    assert "Your reply to the supplier" not in text
    assert await stored_verdicts(bot, ann.user_id) == []


async def test_a_buyer_who_cannot_pay_is_not_told_of_a_maintenance_scam(ann: ChatUser) -> None:
    replies = await ann.says("/pay I placed the order but can't pay")

    assert "High risk" not in replies[-1].text
    assert "Your reply to the supplier" not in replies[-1].text


async def test_a_russian_buyer_question_gets_the_guide(boris: ChatUser) -> None:
    replies = await boris.says("Можно ли оплатить заказ на 1688 картой?")

    assert "Высокий риск" not in replies[-1].text


async def test_a_shipping_notice_is_not_a_payment_and_offers_track(ann: ChatUser) -> None:
    replies = await ann.says("/pay Your goods have been shipped, tracking number SF1234567890123")

    assert "doesn't look like a payment request" in replies[-1].text
    assert "/track" in replies[-1].text
    assert not any("Copy" in label for label in ann.buttons())


@needs_cjk_font
async def test_a_screenshot_without_a_payee_asks_too(
    ann: ChatUser, sandbox: Sandbox, bot: BotApplication
) -> None:
    screenshot = render_chat_screenshot(["您好，货款请用银行转账", "转到下面这个账户"])

    sent = await sandbox.send_photo(ann.user_id, screenshot)
    replies = await ann.replies(sent)

    assert "whose name is on the account" in replies[-1].text
    answered = await ann.taps("A person")
    assert "High risk" in answered[-1].text
    assert await stored_verdicts(bot, ann.user_id) == ["high_risk"]


@needs_cjk_font
async def test_the_screenshot_question_and_its_verdict_each_fit_one_screen(
    ann: ChatUser, sandbox: Sandbox
) -> None:
    screenshot = render_chat_screenshot(["您好，货款请用银行转账", "转到下面这个账户"])
    sent = await sandbox.send_photo(ann.user_id, screenshot)
    (question,) = await ann.replies(sent)
    assert_fits_one_screen(question)

    (verdict,) = await ann.taps("A person")

    assert_fits_one_screen(verdict)
    assert "You said: A person" in verdict.text
    assert "High risk" in verdict.text
    (details,) = await ann.taps("Why?")
    assert "What to do" in details.text
    assert "The money would go to a person's own account" in details.text
    (back,) = await ann.taps("Back")
    assert back.text == verdict.text
    assert back.reply_markup == verdict.reply_markup
