"""Digit runs that a phone bubble or OCR broke over lines, joined again before anything reads them.

A chat bubble wraps "6217 0012 3456 7890 123" as "6217 0012 3" / "456" / "7890 123"; OCR
reads each row as a line, and a buyer copying it may put slashes in between. Nothing that
matches numbers on one line (the checker, masking) sees a card in that. `join_wrapped_digits`
glues the pieces back together, but only where the joined run has the shape of something a
person is paid through:

- a bank card: 16–19 digits starting 62 (UnionPay), 4, 5 or 2200–2204, Luhn-valid runs
  preferred, an unchecked UnionPay run taken only when no Luhn-valid run fits;
- a mainland mobile number: 11 digits, 1[3-9]…;
- an account number: 12–25 digits right after an account word (账号, 卡号, account…).

Amounts, dates, times and decimals (`¥500`, `12:30`, `2026/12/07`, `1,500`, `3.50`) never
start or end a piece, an order or waybill number is never glued to anything, and a piece
that is a whole phone number on its own stays alone. Inside a joined run the spaces of a
line are kept; at a line break or slash a group the wrap cut in two is glued back
("6217 0012 3" / "456 7890" becomes "6217 0012 3456 7890") and whole groups are spaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

# One piece: digits not glued to a currency sign, a decimal point, a thousands comma, a
# time's colon, a date's dash, or a unit after them.
_PIECE = re.compile(
    r"(?<![\d¥￥$€£#])(?<!\d[.,:：-])\d+(?![\d%％元块]|[.,:：-]\d|[年月日号点時时])"
)
# What may stand between two pieces: spaces on one line, or a break (line breaks, slashes,
# bars, with any spaces around them).
_INLINE = re.compile(r"[ \t\u3000]+")
_BREAK = re.compile(r"[ \t\u3000]*(?:[\n\r/|\\][ \t\u3000]*)+")
_CARD_ISSUERS = ("62", "4", "5", "2200", "2201", "2202", "2203", "2204")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Account words right before a run make a long number an account number.
_ACCOUNT_WORD = re.compile(
    r"(?:账号|帐号|賬號|卡号|卡號|账户|帐户|賬戶|户号|收款|account|acct|a/c|счет|счёт|карт[аы])"
    r"[^\d\n]{0,8}$",
    re.IGNORECASE,
)
# Numbers that are never a card or an account, whatever their shape.
_NOT_PRIVATE_WORD = re.compile(
    r"(?:订单|單號|单号|运单|快递|物流|order|tracking|waybill|invoice|发票|税号|信用代码|заказ|трек|№)"
    r"[^\d\n]{0,12}$",
    re.IGNORECASE,
)
_LOOK_BACK = 16
# Full-width digits (masking sees text before NFKC) are read, and joined, as ASCII ones.
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Cards and phones are written in groups of at most four digits.
_GROUP = 4


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    digits: str


def join_wrapped_digits(text: str) -> str:
    """`text` with card, phone and account numbers broken over lines joined again."""
    if "\n" not in text and "/" not in text and "|" not in text and "\\" not in text:
        return text
    out: list[str] = []
    done = 0
    for chain in _chains(text):
        for first, last in _joins(text, chain):
            start, end = chain[first].start, chain[last].end
            out.append(text[done:start])
            out.append(_glued(text, chain[first : last + 1]))
            done = end
    out.append(text[done:])
    return "".join(out)


def _chains(text: str) -> list[list[_Piece]]:
    """Pieces separated only by spaces and breaks, with at least one break among them."""
    chains: list[list[_Piece]] = []
    current: list[_Piece] = []
    for match in _PIECE.finditer(text):
        piece = _Piece(match.start(), match.end(), match.group().translate(_ASCII_DIGITS))
        if current and _separator(text[current[-1].end : piece.start]) is None:
            chains.append(current)
            current = []
        current.append(piece)
    chains.append(current)
    return [chain for chain in chains if len(chain) > 1]


def _separator(between: str) -> str | None:
    if _BREAK.fullmatch(between):
        return "break"
    if _INLINE.fullmatch(between):
        return "inline"
    return None


def _joins(text: str, chain: list[_Piece]) -> list[tuple[int, int]]:
    """Runs of pieces (first, last) to join, left to right, the longest fitting run first."""
    joins: list[tuple[int, int]] = []
    first = 0
    while first < len(chain) - 1:
        last = _best_run(text, chain, first)
        if last is None:
            first += 1
            continue
        joins.append((first, last))
        first = last + 1
    return joins


def _best_run(text: str, chain: list[_Piece], first: int) -> int | None:
    before = text[max(0, chain[first].start - _LOOK_BACK) : chain[first].start]
    head = text[max(0, chain[0].start - _LOOK_BACK) : chain[0].start]
    if _NOT_PRIVATE_WORD.search(head):
        return None
    runs = [
        last
        for last in range(len(chain) - 1, first, -1)
        if _breaks_inside(text, chain, first, last)
        and not _whole_phone_inside(text, chain, first, last)
    ]
    digits = {last: "".join(piece.digits for piece in chain[first : last + 1]) for last in runs}
    card = [last for last in runs if _card_shaped(digits[last])]
    checked = [last for last in card if _luhn_valid(digits[last])]
    unionpay = [last for last in card if digits[last].startswith("62")]
    phones = [last for last in runs if _MOBILE.fullmatch(digits[last])]
    accounts = [last for last in runs if 12 <= len(digits[last]) <= 25]
    if not _ACCOUNT_WORD.search(before):
        accounts = []
    for found in (checked, unionpay, phones, accounts):
        if found:
            return found[0]
    return None


def _luhn_valid(digits: str) -> bool:
    """The check digit of a payment card (ISO/IEC 7812): every second digit from the right
    doubled, the digits of it all summed, a multiple of ten."""
    doubled = (sum(divmod(int(d) * (1 + i % 2), 10)) for i, d in enumerate(reversed(digits)))
    return sum(doubled) % 10 == 0


def _card_shaped(digits: str) -> bool:
    return 16 <= len(digits) <= 19 and digits.startswith(_CARD_ISSUERS)


def is_card_like(digits: str) -> bool:
    """16–19 digits of a known issuer that pass the Luhn check, or a UnionPay (62…) run."""
    if not _card_shaped(digits):
        return False
    return digits.startswith("62") or _luhn_valid(digits)


def after_account_word(before: str) -> bool:
    """Does `before` (the text just in front of a number) end in an account word?"""
    return _ACCOUNT_WORD.search(before[-_LOOK_BACK:]) is not None


def after_order_word(before: str) -> bool:
    """Does `before` end in an order, waybill or invoice word (or №)?"""
    return _NOT_PRIVATE_WORD.search(before[-_LOOK_BACK:]) is not None


def _breaks_inside(text: str, chain: list[_Piece], first: int, last: int) -> bool:
    return any(
        _separator(text[chain[i].end : chain[i + 1].start]) == "break" for i in range(first, last)
    )


def _whole_phone_inside(text: str, chain: list[_Piece], first: int, last: int) -> bool:
    """A line's run of pieces that already is a mobile number is a number of its own."""
    line = chain[first].digits
    for before, piece in zip(chain[first:last], chain[first + 1 : last + 1], strict=True):
        if _separator(text[before.end : piece.start]) == "break":
            if _MOBILE.fullmatch(line):
                return True
            line = ""
        line += piece.digits
    return _MOBILE.fullmatch(line) is not None


def _glued(text: str, pieces: list[_Piece]) -> str:
    """The pieces on one line, spaced as written. At a break, a group the wrap cut in two
    ("3" / "456") is glued back; whole groups ("3456" / "7890") get a space between them."""
    parts = [pieces[0].digits]
    group = len(pieces[0].digits)
    for before, piece in pairwise(pieces):
        between = text[before.end : piece.start]
        glue = _separator(between) == "break" and group + len(piece.digits) <= _GROUP
        parts.append("" if glue else " ")
        parts.append(piece.digits)
        group = group + len(piece.digits) if glue else len(piece.digits)
    return "".join(parts)
