"""Masking of bank-card and phone numbers before text is logged or stored, and of secrets
(tokens, keys, passwords) before anything is printed."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import quote

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


# `scheme://user:password@host`: the password of a database or proxy URL.
_URL_PASSWORD = re.compile(r"(?<=://)([^:/@\s]*):([^@/\s]+)@")
_TOKEN_SHAPE = re.compile(r"\d+:\S+")
SECRET_MARK = "<secret>"
SHORT_SECRET = 8


def secret_forms(secret: str) -> set[str]:
    """The ways a configured secret shows in text: as is, URL-encoded (a proxy's error page
    quoting the request URL), HTML-escaped; of a bot token also the half after the colon
    (the bot id before it is public, the rest is the secret)."""
    forms = {secret, quote(secret, safe=""), quote(secret), html.escape(secret)}
    if _TOKEN_SHAPE.fullmatch(secret):
        forms |= secret_forms(secret.split(":", 1)[1])
    return {form for form in forms if form}


class SecretRedactor:
    """Removes the configured secrets, whatever their length (a 3-character webhook secret
    is still a secret), anything shaped like a bot token, and passwords in URLs.

    A secret shorter than SHORT_SECRET is removed where it stands alone, not inside a longer
    word or number: "abc" is hidden in `secret_token='abc'` but "abcdef" stays readable.
    Longer ones are removed wherever they occur, as a token is in `/bot<token>/getMe`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = {form for secret in secrets if secret for form in secret_forms(secret)}
        longest_first = sorted(forms, key=len, reverse=True)
        long = [re.escape(form) for form in longest_first if len(form) >= SHORT_SECRET]
        short = [re.escape(form) for form in longest_first if len(form) < SHORT_SECRET]
        alone = rf"(?<![A-Za-z0-9])(?:{'|'.join(short)})(?![A-Za-z0-9])"
        patterns = (["|".join(long)] if long else []) + ([alone] if short else [])
        self._known = [re.compile(pattern) for pattern in patterns]

    def __call__(self, text: str) -> str:
        for known in self._known:
            text = known.sub(SECRET_MARK, text)
        return _URL_PASSWORD.sub(rf"\1:{SECRET_MARK}@", redact_bot_tokens(text))
