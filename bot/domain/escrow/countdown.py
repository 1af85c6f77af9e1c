"""The countdown a buyer copies from the 1688 order page, and how time left is shown.

The order page shows the time left before auto-confirm (`还剩6天23小时59分`, or
`剩余时间：6天23:59:59`); buyers also retype it (`6d 23h`, `6 days 23 hours`, `2h30m`).
A countdown is a duration; it becomes a deadline by adding it to the moment it was read.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from bot.domain.escrow.deadline import require_aware

MAX_COUNTDOWN = timedelta(days=90)  # longer than any 1688 clock (30 d + extensions): a typo
_MAX_INPUT = 500

# Longest spellings first, so `小时` wins over `时` and `minutes` over `m`.
_CJK_UNITS: dict[str, timedelta] = {
    "天": timedelta(days=1),
    "日": timedelta(days=1),
    "个小时": timedelta(hours=1),
    "个钟头": timedelta(hours=1),
    "小时": timedelta(hours=1),
    "钟头": timedelta(hours=1),
    "时": timedelta(hours=1),
    "分钟": timedelta(minutes=1),
    "分": timedelta(minutes=1),
    "秒钟": timedelta(seconds=1),
    "秒": timedelta(seconds=1),
}
_WORD_UNITS: dict[timedelta, tuple[str, ...]] = {
    timedelta(days=1): ("days", "day", "d", "дней", "дня", "день", "дн", "д"),
    timedelta(hours=1): ("hours", "hour", "hrs", "hr", "h", "часов", "часа", "час", "ч"),
    timedelta(minutes=1): ("minutes", "minute", "mins", "min", "m", "минуты", "минут", "мин"),
    timedelta(seconds=1): ("seconds", "second", "secs", "sec", "s", "секунды", "секунд", "сек"),
}
_UNIT_OF: dict[str, timedelta] = {
    **_CJK_UNITS,
    **{word: unit for unit, words in _WORD_UNITS.items() for word in words},
}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_WORD_SPELLINGS = [word for words in _WORD_UNITS.values() for word in words]
# A word unit must end the word (`3 months` is not 3 minutes); a CJK unit needs no boundary.
_AMOUNT = re.compile(
    r"(?<![\d.])(\d{1,6}(?:\.\d{1,3})?)\s*"
    rf"(?:({_alternation(list(_CJK_UNITS))})|({_alternation(_WORD_SPELLINGS)})(?![^\W\d_]))"
)
_CLOCK = re.compile(r"(?<![\d:])(\d{1,3}):([0-5]\d)(?::([0-5]\d))?(?![\d:])")
# Words that say "time left", which make a bare `23:59:59` a countdown, not a time of day.
_LEFT_MARKER = re.compile(r"剩|倒计时|left|remain|осталось")
# Dates are not countdowns: `2026年11月28日` must not read as 28 days.
_DATE_LIKE = re.compile(r"\d\s*[年月]|\d{4}\s*[-/.]|\d{1,2}[-/]\d{1,2}|\d{1,2}\.\d{1,2}\.\d")


def _normalise(text: str) -> str:
    """Full-width digits and colons become ASCII, letters lower case."""
    return unicodedata.normalize("NFKC", text).casefold()


_NEGATIVE = re.compile(r"(?:^|[\s剩余还:：])[-−–]\s*\d")


def is_negative_countdown(text: str) -> bool:
    """`-5h`, `还剩-2天`: a countdown with a minus sign, which points into the past."""
    return bool(_NEGATIVE.search(_normalise(text)))


def countdown_duration(text: str) -> timedelta | None:
    """The duration a countdown text states, or None when it states none."""
    cleaned = _normalise(text)
    if len(cleaned) > _MAX_INPUT or _DATE_LIKE.search(cleaned):
        return None
    amounts = list(_AMOUNT.finditer(cleaned))
    total = sum((_amount_duration(match) for match in amounts), timedelta(0))
    clock = _CLOCK.search(cleaned)
    has_days = any(_UNIT_OF[match[2] or match[3]] == timedelta(days=1) for match in amounts)
    if clock and (has_days or _LEFT_MARKER.search(cleaned)):
        total += _clock_duration(clock)
    elif not amounts:
        return None
    return total


def _amount_duration(match: re.Match[str]) -> timedelta:
    return float(match[1]) * _UNIT_OF[match[2] or match[3]]


def _clock_duration(match: re.Match[str]) -> timedelta:
    hours, minutes, seconds = match[1], match[2], match[3] or "0"
    return timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds))


def parse_countdown(text: str, now: datetime) -> datetime | None:
    """The deadline a countdown read at `now` points to; None if none or absurd (> 90 days)."""
    require_aware(now, "now")
    duration = countdown_duration(text)
    if duration is None or duration > MAX_COUNTDOWN:
        return None
    try:
        return now + duration
    except OverflowError:
        return None


# Unit letters and the "overdue" wording per language; English is the fallback.
_UNITS = {"en": ("d", "h", "m", "overdue by {}"), "ru": (" д", " ч", " мин", "просрочено на {}")}


def format_left(delta: timedelta, language: str = "en") -> str:
    """`6d 23h`, `5h 10m`, `12m`, `overdue by 2h 5m`: the two largest units, rounded to the
    nearest of the smaller one.

    A countdown typed as `6天23小时` is a few milliseconds shorter by the time its card is
    drawn: rounding down showed `6d 22h`, an hour less than the user typed. The nearest
    unit is never more than half that unit off, and the reminders keep to the exact time.
    """
    units = _UNITS.get(language, _UNITS["en"])
    if delta < timedelta(0):
        return units[3].format(_two_units(-delta, units))
    return _two_units(delta, units)


def _two_units(delta: timedelta, units: tuple[str, str, str, str]) -> str:
    day, hour, minute, _ = units
    minutes_total = round(delta.total_seconds() / 60)
    if minutes_total >= 24 * 60:
        minutes_total = round(minutes_total / 60) * 60  # days and hours: the nearest hour
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}{day} {hours}{hour}" if hours else f"{days}{day}"
    if hours:
        return f"{hours}{hour} {minutes}{minute}" if minutes else f"{hours}{hour}"
    return f"{minutes}{minute}" if minutes else f"<1{minute}"
