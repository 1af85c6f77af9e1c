"""Callback data for inline buttons: a short prefix per flow, then `|`-separated parts.

Telegram accepts 1–64 bytes of callback data and sends back whatever a button carried, so
data can be stale (an old keyboard) or forged (a modified client). Each route declares how
long each of its parts may be, so its longest data is known before any button is drawn
(tests/test_routes.py checks every route of handlers/routes.py against the 64 bytes);
packing refuses what does not fit, and unpacking returns None for anything that does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
SEPARATOR = "|"
# Row ids live in INTEGER columns: 32 bits on PostgreSQL.
MAX_NUMBER = 2**31 - 1
NUMBER_WIDTH = len(str(MAX_NUMBER))


@dataclass(frozen=True)
class CallbackRoute:
    """The buttons of one flow: `prefix|part|part`, each part at most its width in bytes."""

    prefix: str
    widths: tuple[int, ...] = (16,)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,7}", self.prefix):
            raise ValueError(f"bad callback prefix {self.prefix!r}")
        if not self.widths or min(self.widths) < 1:
            raise ValueError(f"{self.prefix}: every part needs a width")

    @property
    def arity(self) -> int:
        return len(self.widths)

    @property
    def longest(self) -> int:
        """Bytes of the longest data this route can pack."""
        return len(self.prefix.encode()) + sum(self.widths) + len(self.widths)

    @property
    def pattern(self) -> re.Pattern[str]:
        """For CallbackQueryHandler(pattern=...): any data of this flow, valid or not."""
        return re.compile(rf"^{re.escape(self.prefix)}(\{SEPARATOR}|$)")

    def exact(self, *parts: str | int) -> re.Pattern[str]:
        """For CallbackQueryHandler(pattern=...): exactly one button of this flow."""
        return re.compile(f"^{re.escape(self.pack(*parts))}$")

    def pack(self, *parts: str | int) -> str:
        if len(parts) != self.arity:
            raise ValueError(f"{self.prefix} takes {self.arity} parts, got {len(parts)}")
        texts = [str(part) for part in parts]
        if any(SEPARATOR in text for text in texts):
            raise ValueError(f"callback part contains {SEPARATOR!r}: {texts}")
        for text, width in zip(texts, self.widths, strict=True):
            if not text or len(text.encode()) > width:
                raise ValueError(f"{self.prefix}: part {text!r} is not 1-{width} bytes")
        data = SEPARATOR.join([self.prefix, *texts])
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    def unpack(self, data: str | None) -> tuple[str, ...] | None:
        """The parts of data packed by this route, or None for stale or forged data."""
        if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            return None
        prefix, *parts = data.split(SEPARATOR)
        if prefix != self.prefix or len(parts) != self.arity:
            return None
        widths = zip(parts, self.widths, strict=True)
        if not all(part and len(part.encode()) <= width for part, width in widths):
            return None
        return tuple(parts)


def parse_number(part: str | None) -> int | None:
    """A row id or count from callback data, or None for anything a real button never
    carries. Only ASCII digits: `str.isdigit()` also accepts "²", which `int()` refuses;
    and at most MAX_NUMBER, so a forged id cannot overflow a database column (found by
    fuzzing: both crashed the handler)."""
    if not part or not part.isascii() or not part.isdigit():
        return None
    number = int(part)
    return number if number <= MAX_NUMBER else None
