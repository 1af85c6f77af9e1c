"""Card and phone numbers never appear whole in logs; bot tokens never at all."""

from __future__ import annotations

import pytest

from bot.domain.masking import mask_numbers, mask_private_numbers, redact_bot_tokens


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


@pytest.mark.parametrize(
    ("label", "masked"),
    [
        ("王总 13812345678", "王总 ••••5678"),
        ("王总 138 1234\n5678", "王总 ••••5678"),
        ("卡 6222 0212 3456 7890 128", "卡 ••••0128"),
        ("6217 0012 3 / 456 / 7890 123 老板", "••••0123 老板"),
        ("账号 3100 1234 5678 9012 3456 789", "账号 ••••6789"),
        ("Visa 4111 1111 1111 1111 spare", "Visa ••••1111 spare"),
    ],
)
def test_names_hide_phones_cards_and_accounts(label: str, masked: str) -> None:
    assert mask_private_numbers(label) == masked


@pytest.mark.parametrize(
    "label",
    [
        "№3482915567012345678",  # an order number
        "order 4111111111111111",  # even one shaped like a card, when it says so
        "YT1234567890123 parcel",  # a tracking number
        "mugs 1200 pcs ¥35.50",
        "3482915567012345678",  # 19 digits, no issuer: not a card
    ],
)
def test_names_keep_order_and_tracking_numbers(label: str) -> None:
    assert mask_private_numbers(label) == label
