"""Numbers that identify a person's money: bank cards, phones used as wallets, crypto addresses.

Each finder returns the span of the first hit in the normalised text, or None.
"""

from __future__ import annotations

import re

Span = tuple[int, int]

# 16–19 digits, optionally grouped by spaces or dashes (the way cards are written and OCR'd).
_CARD = re.compile(r"(?<![\d])(?:\d[ -]?){15,18}\d(?![\d])")
# Visa, Mastercard, UnionPay / Discover, and Russia's Mir (2200–2204).
_CARD_ISSUERS = ("4", "5", "6", "2200", "2201", "2202", "2203", "2204")
# An order or waybill number in front of a long number means it is not a card.
_NOT_A_CARD_LABEL = re.compile(
    r"(?:订单|单号|运单|快递|物流|order|tracking|waybill|invoice|发票|税号|信用代码|заказ|трек)"
    r"[^\d]{0,12}$",
    re.IGNORECASE,
)

# Mainland mobile numbers, as mask_numbers knows them.
_MOBILE = re.compile(r"(?<![\d])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?![\d])")
_WALLET_WORDS = re.compile(
    r"支付宝|zfb|alipay|微信|v信|wechat|weixin|(?<![a-z])(?:vx|wx)(?![a-z])|收款|转账|汇款|"
    r"账号|账户|户名|打款|(?<![a-z])(?:account|acct|transfer)(?![a-z])",
    re.IGNORECASE,
)
_WALLET_REACH = 16

_BASE58 = "1-9A-HJ-NP-Za-km-z"
_CRYPTO_ADDRESS = re.compile(
    rf"(?<![A-Za-z0-9])(?:T[{_BASE58}]{{33}}"  # TRON (USDT-TRC20)
    r"|0x[0-9a-fA-F]{40}"  # Ethereum and ERC20 tokens
    r"|bc1[02-9ac-hj-np-z]{25,62}"  # Bitcoin, bech32
    rf"|[13][{_BASE58}]{{25,34}})(?![A-Za-z0-9])"  # Bitcoin, legacy
)


# Cheap gates: a card or phone number has three digits in a row, a crypto address is a
# long run of letters and digits. Most messages fail both and skip the costlier patterns.
_THREE_DIGITS = re.compile(r"\d\d\d")
_LONG_TOKEN = re.compile(r"[A-Za-z0-9]{25}")


def luhn_valid(digits: str) -> bool:
    """The check digit every payment card carries (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """UnionPay cards (62…) are taken at their word; others must pass the Luhn check."""
    if not 16 <= len(digits) <= 19 or not digits.isdigit():
        return False
    if digits.startswith("62"):
        return True
    return digits.startswith(_CARD_ISSUERS) and luhn_valid(digits)


def find_card_number(text: str) -> Span | None:
    if not _THREE_DIGITS.search(text):
        return None
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if is_card_number(digits) and not _NOT_A_CARD_LABEL.search(
            text, max(0, match.start() - 16), match.start()
        ):
            return match.span()
    return None


def find_phone_as_wallet(text: str) -> Span | None:
    """A mobile number offered as an Alipay / WeChat / transfer account, not as a phone."""
    if not _THREE_DIGITS.search(text):
        return None
    for match in _MOBILE.finditer(text):
        before = text[max(0, match.start() - _WALLET_REACH) : match.start()]
        after = text[match.end() : match.end() + 6]
        if _WALLET_WORDS.search(before) or _WALLET_WORDS.search(after):
            return match.span()
    return None


def find_crypto_address(text: str) -> Span | None:
    if not _LONG_TOKEN.search(text):
        return None
    for match in _CRYPTO_ADDRESS.finditer(text):
        # Legacy Bitcoin addresses look like long numbers; a real one has letters.
        if not match.group().isdigit():
            return match.span()
    return None
