"""Issue 16: the slots a message is read into, the table that decides, the one question."""

from __future__ import annotations

import pytest

from bot.domain.payments.checker import (
    PAYEE_ANSWERS,
    Verdict,
    classify_payment,
    findings,
    looks_like_shipping_notice,
    with_answer,
)

BUYER_QUESTIONS = (
    "can I pay with paypal on 1688?",
    "Is it safe to pay the supplier by T/T?",
    "how do I pay on 1688 from abroad?",
    "I placed the order but can't pay, what should I do?",
    "1688上可以用paypal付款吗？",
    "Можно ли оплатить заказ на 1688 картой?",
)
# Questions a supplier asks the buyer are requests: they stay with the checker.
SUPPLIER_QUESTIONS = (
    "Can you pay to my Alipay?",
    "可以转我支付宝吗？",
    "Could you send it by Western Union?",
    "Можно перевести мне на карту?",
    "Can I pay the deposit to your personal bank card?",
    "Can I pay to this card 6222 0212 3456 7890 128?",
)


@pytest.mark.parametrize("text", BUYER_QUESTIONS)
def test_the_buyers_question_is_no_verdict_and_no_reply(text: str) -> None:
    check = classify_payment(text)

    assert check.slots.speaker == "buyer"
    assert check.verdict is Verdict.UNCLEAR
    assert check.signals == ()
    assert check.decline_reply_zh is None


@pytest.mark.parametrize("text", SUPPLIER_QUESTIONS)
def test_a_request_phrased_as_a_question_is_still_checked(text: str) -> None:
    check = classify_payment(text)

    assert check.slots.speaker == "supplier"
    assert check.verdict is Verdict.HIGH_RISK


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("Our director's account please", "payee", "role"),
        ("我们代理李先生收款，直接转给他", "payee", "role"),
        ("Переведите деньги нашему бухгалтеру", "payee", "role"),
        ("加LINE客服，到ATM转帐", "channel", "cash_atm"),
        ("L/C at sight", "channel", "letter_of_credit"),
        ("以后我们微信结款", "channel", "wallet"),
        ("請分三筆匯到這三個帳戶", "structure", "split"),
        ("Pay in the 1688 app on your phone", "platform", "1688"),
        ("Click Send Initial Payment and choose T/T", "platform", "alibaba_trade_assurance"),
    ],
)
def test_slots_are_read_in_every_language(text: str, slot: str, value: str) -> None:
    read = classify_payment(text).slots.to_json()[slot]

    assert value in read if isinstance(read, list) else read == value


def test_a_method_on_the_platform_page_is_approved_a_named_person_never() -> None:
    assert classify_payment("Click Send Initial Payment, choose T/T").verdict is Verdict.APPROVED
    risky = classify_payment("Send Initial Payment by T/T to my personal account")
    assert risky.verdict is Verdict.HIGH_RISK


def test_a_bank_transfer_without_a_payee_asks_and_the_answer_decides() -> None:
    check = classify_payment("汇款到这个账户")

    assert check.verdict is Verdict.CONDITIONAL
    assert check.ask == "payee"
    verdicts = {answer: with_answer(findings(check), "payee", answer) for answer in PAYEE_ANSWERS}
    assert verdicts["company"].verdict is Verdict.CONDITIONAL
    assert verdicts["person"].verdict is Verdict.HIGH_RISK
    assert verdicts["not_said"].verdict is Verdict.CONDITIONAL
    assert all(answered.ask is None for answered in verdicts.values())


def test_a_named_company_needs_no_question() -> None:
    assert classify_payment("公对公转账到我司对公账户").ask is None


def test_no_quote_stands_for_more_than_two_findings() -> None:
    for text in (
        "Pay the boss's account because the company account has a daily limit.",
        "这次货款请打到我们老板的私人账户，公司账户每天有限额，今天必须到账",
        "Transfer to this account, don't delay.",
    ):
        quotes = [signal.evidence for signal in classify_payment(text).signals]
        assert all(quotes.count(quote) <= 2 for quote in quotes), text


def test_shipping_notices_are_told_apart() -> None:
    assert looks_like_shipping_notice("您好，货已经发出了，快递单号YT1234567890123")
    assert looks_like_shipping_notice("Товар отправлен, трек-номер будет завтра")
    assert not looks_like_shipping_notice("Please confirm the colour before production")
