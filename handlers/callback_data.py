"""Callback data for inline buttons: a short prefix per flow, then `|`-separated parts.

Telegram accepts 1–64 bytes of callback data and sends back whatever a button carried, so
data can be stale (an old keyboard) or forged (a modified client). Packing refuses data
that Telegram would reject; unpacking returns None for anything that does not fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
SEPARATOR = "|"
# Row ids live in INTEGER columns: 32 bits on PostgreSQL.
MAX_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class CallbackRoute:
    """The buttons of one flow: `prefix|part|part`, with a fixed number of parts."""

    prefix: str
    arity: int = 1

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,7}", self.prefix):
            raise ValueError(f"bad callback prefix {self.prefix!r}")

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
        data = SEPARATOR.join([self.prefix, *texts])
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    def unpack(self, data: str | None) -> tuple[str, ...] | None:
        """The parts of data packed by this route, or None for stale or forged data."""
        if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            return None
        prefix, *parts = data.split(SEPARATOR)
        if prefix != self.prefix or len(parts) != self.arity or not all(parts):
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
