"""The AI helper can raise a payment verdict with words it quotes, never lower it."""

from __future__ import annotations

import pytest

from bot.domain.payments.checker import Verdict, classify_payment
from bot.domain.payments.escalation import MODEL_SIGNAL, AddedRisk, escalate, reassures

ON_PLATFORM = "请在1688下单付款，走担保交易。下单后等我们改价后再联系财务小王确认"
PRIVATE = "请转账到我私人账户 6222 0212 3456 7890 123，可以省税"


def test_a_quoted_high_risk_raises_an_approved_check() -> None:
    check = classify_payment(ON_PLATFORM)
    assert check.verdict is Verdict.APPROVED

    raised = escalate(check, ON_PLATFORM, [AddedRisk(Verdict.HIGH_RISK, "联系财务小王确认")])

    assert raised.verdict is Verdict.HIGH_RISK
    assert raised.signals[-1].code == MODEL_SIGNAL
    assert raised.signals[-1].evidence == "联系财务小王确认"
    assert raised.decline_reply_zh  # a refusal to copy now that it is risky
    assert MODEL_SIGNAL in raised.advice


def test_a_quote_may_differ_in_width_and_spacing() -> None:
    raised = escalate(
        classify_payment(ON_PLATFORM),
        ON_PLATFORM,
        [AddedRisk(Verdict.CONDITIONAL, "联系财务小王 确认")],  # a space the original lacks
    )
    assert raised.verdict is Verdict.APPROVED  # inner spaces change the words: not grounded
    raised = escalate(
        classify_payment("请在１６８８下单付款，走担保交易"),
        "请在１６８８下单付款，走担保交易",
        [AddedRisk(Verdict.CONDITIONAL, "请在1688下单")],  # full-width digits in the message
    )
    assert raised.verdict is Verdict.CONDITIONAL
    hidden = "请在1688下单付款，联系财\u200b务小王确认"  # a zero-width space in the message
    raised = escalate(
        classify_payment(hidden), hidden, [AddedRisk(Verdict.CONDITIONAL, "联系财务小王确认")]
    )
    assert raised.verdict is Verdict.CONDITIONAL


@pytest.mark.parametrize("level", [Verdict.APPROVED, Verdict.UNCLEAR])
def test_a_level_that_is_not_a_risk_changes_nothing(level: Verdict) -> None:
    check = classify_payment(PRIVATE)
    assert escalate(check, PRIVATE, [AddedRisk(level, "私人账户")]) == check


def test_an_invented_quote_changes_nothing() -> None:
    check = classify_payment(ON_PLATFORM)
    assert escalate(check, ON_PLATFORM, [AddedRisk(Verdict.HIGH_RISK, "加微信付款")]) == check


def test_a_conditional_addition_never_lowers_a_high_risk_check() -> None:
    check = classify_payment(PRIVATE)
    raised = escalate(check, PRIVATE, [AddedRisk(Verdict.CONDITIONAL, "可以省税")])
    assert raised.verdict is Verdict.HIGH_RISK
    assert raised.advice[: len(check.advice)] == check.advice


def test_card_numbers_in_a_quote_are_masked() -> None:
    raised = escalate(
        classify_payment(ON_PLATFORM + PRIVATE),
        ON_PLATFORM + PRIVATE,
        [AddedRisk(Verdict.HIGH_RISK, "6222 0212 3456 7890 123")],
    )
    assert "6222 0212 3456 7890 123" not in raised.signals[-1].evidence


@pytest.mark.parametrize(
    "text",
    [
        "This payment is approved.",
        "It is safe to pay this way.",
        "Go ahead and transfer.",
        "Оплата безопасна.",
        "Можно смело платить.",
        "放心付款，没问题。",
        # Synonyms, and the words as a person reads them (invisible characters, full width).
        "The supplier is reliable and genuine.",
        "Продавец надёжный, всё в порядке.",
        "正规商家，很可靠。",
        "This payment is s\u200bafe.",
        "\u202eapproved\u202c",
        "ｓａｆｅ",
    ],
)
def test_reassuring_words_are_recognised(text: str) -> None:
    assert reassures(text)


@pytest.mark.parametrize(
    "text",
    [
        "This is not safe: a private card is outside 1688's protection.",
        "Paying a personal account is unsafe.",
        "Это небезопасно: платите только через заказ.",
        "这样付款不安全。",
        "Stop and ask for the order link.",
    ],
)
def test_warnings_are_not_mistaken_for_reassurance(text: str) -> None:
    assert not reassures(text)
