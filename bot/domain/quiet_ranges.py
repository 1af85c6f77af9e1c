"""Understanding quiet hours as people type them: `23-7`, `22:00-07:00`, `11 pm - 7 am`,
`10pm to 6:30am`, `с 23 до 7`, `23点到7点`, or `off`.

Quiet hours are kept in whole hours. A typed range with minutes is widened to the whole
hours around it (22:30-06:30 is kept as 22:00-07:00): a reminder moved out of slightly
longer quiet hours comes a little earlier, never inside the hours the user asked for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class QuietRange:
    start: int  # the first quiet hour, 0-23
    end: int  # the hour quiet time ends, 0-23
    widened: bool = False  # the typed range had minutes and was widened to whole hours


@dataclass(frozen=True)
class QuietOff:
    """No quiet hours."""


_OFF = frozenset(
    {"off", "none", "no", "0", "never", "нет", "выкл", "выключить", "отключить"}
    | {"关", "关闭", "无"}
)

_TIME = (
    r"(?P<{0}h>\d{{1,2}})(?:\s*[:.h時时点]\s*(?P<{0}m>\d{{2}})?)?\s*"
    r"(?P<{0}s>a\.?\s?m\.?|p\.?\s?m\.?|утра|ночи|вечера|дня)?"
)
_RANGE = re.compile(
    r"^(?:from|between|с|со|从)?\s*"
    + _TIME.format("a")
    + r"\s*(?:-|–|—|~|to|till|until|and|до|по|到|至)\s*"
    + _TIME.format("b")
    + r"\s*(?:分)?$"
)
_MORNING = ("am", "a.m.", "a.m", "утра", "ночи")
_EVENING = ("pm", "p.m.", "p.m", "вечера", "дня")


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    return re.sub(r"\s+", " ", folded).rstrip(".!")


def _hour(hour: int, suffix: str | None) -> int | None:
    if suffix is None:
        return hour if 0 <= hour <= 24 else None
    compact = suffix.replace(" ", "")
    if not 1 <= hour <= 12:
        return None
    if compact in _EVENING:
        return 12 if hour == 12 and compact == "дня" else (hour % 12) + 12
    if compact in _MORNING:
        return hour % 12
    return None


def _shortest(start: int, end: int, *, bare_start: bool) -> tuple[int, int]:
    """`10-6am` means 22:00-06:00 and `11pm-7` 23:00-07:00: a side typed without am/pm
    is read as whichever half of the day makes the quiet time the shorter night."""
    bare = start if bare_start else end
    if not 1 <= bare <= 12:
        return start, end
    options = [bare % 12, bare % 12 + 12]
    pairs = [(o, end) if bare_start else (start, o) for o in options]
    return min(pairs, key=lambda pair: (pair[1] - pair[0]) % 24 or 24)


def parse_quiet_range(text: str) -> QuietRange | QuietOff | None:
    """The quiet hours a user typed, QuietOff for "off", or None when it is neither."""
    cleaned = _normal(text)
    if cleaned in _OFF:
        return QuietOff()
    match = _RANGE.match(cleaned)
    if match is None:
        return None
    start = _hour(int(match["ah"]), match["as"])
    end = _hour(int(match["bh"]), match["bs"])
    if start is not None and end is not None and (match["as"] is None) != (match["bs"] is None):
        start, end = _shortest(start, end, bare_start=match["as"] is None)
    start_minutes, end_minutes = int(match["am"] or 0), int(match["bm"] or 0)
    if start is None or end is None or start_minutes > 59 or end_minutes > 59:
        return None
    # Whole hours around the typed range: the start rounds down, the end rounds up.
    widened = bool(start_minutes or end_minutes)
    end = (end + (1 if end_minutes else 0)) % 24
    start %= 24
    if start == end:
        return None
    return QuietRange(start, end, widened)
