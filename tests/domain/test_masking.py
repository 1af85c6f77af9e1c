"""Card and phone numbers never appear whole in logs; bot tokens never at all."""

from __future__ import annotations

import pytest

from bot.domain.masking import mask_numbers, redact_bot_tokens


@pytest.mark.parametrize(
    ("text", "hidden", "shown"),
    [
        ("pay to 6222021234567890123 today", "6222021234567890123", "••••0123"),
        ("card 6222 0212 3456 7890 123", "6222 0212 3456 7890 123", "••••0123"),
        ("alipay 13812345678", "13812345678", "••••5678"),
        ("call +86 139 1234 5678", "139 1234 5678", "••••5678"),
        ("whatsapp +7 916 123 45 67", "916 123 45 67", "••••4567"),
    ],
)
def test_numbers_are_masked_to_the_last_four_digits(text: str, hidden: str, shown: str) -> None:
    masked = mask_numbers(text)

    assert hidden not in masked
    assert shown in masked


def test_order_numbers_and_prices_are_left_alone() -> None:
    text = "order 2026112612, 1200 pcs at ¥35.50, MOQ 500"

    assert mask_numbers(text) == text


def test_bot_tokens_are_redacted_inside_urls() -> None:
    url = "https://api.telegram.org/bot123456789:FAKEfakeFAKEfake_not-a-real-token-00/getMe"

    redacted = redact_bot_tokens(url)

    assert "FAKEfakeFAKEfake" not in redacted
    assert redacted.endswith("/bot<bot-token>/getMe")


def test_long_account_numbers_are_masked_too() -> None:
    masked = mask_numbers("对公账户 3100 1234 5678 9012 3456 789")

    assert "3100 1234" not in masked
    assert masked.endswith("••••6789")
