"""Numbers a chat bubble wrapped over lines are joined; amounts, dates and order numbers not."""

from __future__ import annotations

import pytest

from bot.domain.masking import mask_numbers
from bot.domain.payments.checker import Verdict, classify_payment
from bot.domain.wrapped_digits import join_wrapped_digits
from bot.runtime.logs import RedactingFilter

WRAPPED_CARD = "老板说付到他私人账户，卡号 6217 0012 3\n456\n7890 123"


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("6217 0012 3\n456\n7890 123", "6217 0012 3456 7890 123"),
        ("6217 0012 3 / 456 / 7890 123", "6217 0012 3456 7890 123"),
        ("卡号：6217 0012 3\n456 7890 123 谢谢", "卡号：6217 0012 3456 7890 123 谢谢"),
        ("6222 0212 3456\n7890 128", "6222 0212 3456 7890 128"),  # Luhn-valid
        ("4111 1111\n1111 1111", "4111 1111 1111 1111"),  # Visa, Luhn-valid
        ("支付宝 138 1234\n5678", "支付宝 138 1234 5678"),
        ("微信 139 1234 5\n678 谢谢", "微信 139 1234 5678 谢谢"),
        ("账号 6230 5820 0001\n2345 6789 012", "账号 6230 5820 0001 2345 6789 012"),
        ("account no. 3100 1234 5678 | 9012 345", "account no. 3100 1234 5678 9012 345"),
        ("６２１７ ００１２ ３\n４５６ ７８９０ １２３", "6217 0012 3456 7890 123"),
    ],
)
def test_wrapped_numbers_are_joined(text: str, joined: str) -> None:
    assert join_wrapped_digits(text) == joined


@pytest.mark.parametrize(
    "text",
    [
        "金额 5000\n2026-12-07",  # an amount above a date
        "¥3000\n1500",  # two amounts
        "单价 1,500\n2000 pcs",  # thousands separator
        "12:30\n6217",  # a time
        "2026/12/07",  # a date written with slashes
        "3.50\n1688",  # a decimal
        "13812345678\n500",  # a whole phone number, then an amount
        "13812345678\n6217 0012 3456 7890 123",  # two whole numbers stay two
        "订单号 3482 9155 6701\n2345 678",  # an order number is never glued
        "运单号 7731 2345\n6789 0123",  # nor a waybill number
        "数量 3000\n单价 12",  # quantities
        "1200\n3456\n7890",  # 12 digits, no card, phone or account word
        "账号\n2026/12/07",  # an account word does not make a date an account
        "价格 4500\n5000元",  # an amount in yuan
    ],
)
def test_unrelated_numbers_are_not_glued(text: str) -> None:
    assert join_wrapped_digits(text) == text


def test_a_text_without_breaks_comes_back_as_it_was() -> None:
    text = "card 6222 0212 3456 7890 128"

    assert join_wrapped_digits(text) is text


def test_the_checker_sees_a_wrapped_card() -> None:
    check = classify_payment(WRAPPED_CARD)

    assert check.verdict is Verdict.HIGH_RISK
    assert "bank_card_number" in [signal.code for signal in check.signals]
    assert all("3\n456" not in signal.evidence for signal in check.signals)
    assert all("7890" not in signal.evidence for signal in check.signals)


def test_a_wrapped_card_alone_is_still_a_card() -> None:
    check = classify_payment("6217 0012 3 / 456 / 7890 123")

    assert [signal.code for signal in check.signals] == ["bank_card_number"]


def test_masking_hides_every_piece_of_a_wrapped_card() -> None:
    masked = mask_numbers(WRAPPED_CARD)

    assert masked.endswith("卡号 ••••0123")
    for piece in ("6217", "0012", "456", "7890"):
        assert piece not in masked


def test_masking_hides_a_wrapped_phone() -> None:
    masked = mask_numbers("加我支付宝 138 1234\n5678 转账")

    assert "1234" not in masked
    assert "••••5678" in masked


def test_logs_never_show_a_wrapped_card() -> None:
    redacted = RedactingFilter().redact("OCR read: 卡号 6217 0012 3\n456\n7890 123")

    assert "••••0123" in redacted
    assert "456" not in redacted
