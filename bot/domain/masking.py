"""Masking of bank-card and phone numbers before text is logged or stored."""

from __future__ import annotations

import re

from bot.domain.wrapped_digits import (
    after_account_word,
    after_order_word,
    is_card_like,
    join_wrapped_digits,
)

# 13 or more digits, optionally grouped by spaces or dashes: bank cards (UnionPay 62…,
# Visa…) and account numbers, which in China run up to 25 digits.
_CARD = re.compile(r"(?<![\d])(?:\d[ -]?){12,40}\d(?![\d])")
# Mainland mobile numbers (1[3-9]x, 11 digits) with an optional +86, and other
# international numbers written with a leading +.
_PHONE = re.compile(
    r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?![\d])"
    r"|(?<![\d])\+\d(?:[ -]?\d){7,13}(?![\d])"
)
_BOT_TOKEN = re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}")


def _keep_last_four(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"••••{digits[-4:]}"


def mask_numbers(text: str) -> str:
    """Replace card and phone numbers with `••••1234`, keeping the last four digits.

    Numbers a chat bubble or OCR wrapped over lines are joined first, so that no part of
    them shows."""
    return _CARD.sub(_keep_last_four, mask_phone_numbers(join_wrapped_digits(text)))


# A run of 12–25 digits, grouped by spaces or dashes: a card or an account number, or an
# order or tracking number that mask_private_numbers leaves alone.
_LONG_RUN = re.compile(r"(?<![\d])(?:\d[ -]?){11,24}\d(?![\d])")


def mask_private_numbers(text: str) -> str:
    """Mask what identifies a person's money and nothing else: phone numbers, card numbers
    (a known issuer's 16–19 digits, Luhn-valid or UnionPay) and numbers after an account
    word ("账号", "account"). Order and tracking numbers stay readable, so a name like
    "№3482915567012345678" keeps its number. For names and labels the user gives; texts
    that are quoted back (`mask_numbers`) hide every long number."""
    text = mask_phone_numbers(join_wrapped_digits(text))

    def masked(run: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", run.group())
        before = text[max(0, run.start() - 16) : run.start()]
        if after_order_word(before):
            return run.group()
        if is_card_like(digits) or after_account_word(before):
            return _keep_last_four(run)
        return run.group()

    return _LONG_RUN.sub(masked, text)


def mask_phone_numbers(text: str) -> str:
    """Replace phone numbers with `••••1234`, leaving longer numbers (tracking numbers,
    order numbers) as they are."""
    return _PHONE.sub(_keep_last_four, text)


def redact_bot_tokens(text: str) -> str:
    """Replace anything shaped like a Telegram bot token."""
    return _BOT_TOKEN.sub("<bot-token>", text)
