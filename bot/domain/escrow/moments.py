"""Absolute times a buyer types: when the seller shipped, when the parcel was signed for.

Times on 1688 pages are Beijing time, so a time without a zone is read in the zone the
caller passes (Beijing by default); a zone the user writes (`UTC`, `+03:00`, `MSK`,
`Berlin`, `Europe/Berlin`) wins. The result is always an aware UTC datetime.

Choices. The first three make a deadline computed from the result err early, never late;
the rest refuse what cannot be read for sure, because asking again beats a wrong date.
- a date without a time (`2026-11-28`, `today`, `昨天`) is that day at 00:00;
- a wall time that happens twice or never (DST changes) is the earlier instant;
- `CST` is China Standard Time: the context is 1688, and it is also the earlier reading;
- a date without a year (`11-28`) is in whichever year puts it closest to now;
- an ambiguous `03/04/2026` (either order is a valid date) is refused rather than guessed;
- a word that is neither part of the time nor a zone makes the whole text unreadable, so
  `Tuesday 14:00` is refused instead of being read as today.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from bot.domain.escrow.deadline import require_aware
from bot.domain.timezones import BEIJING, parse_timezone

_MAX_INPUT = 200
_YEARS = range(1970, 2201)
_DAY = timedelta(days=1)


class _UnclearDateError(ValueError):
    """The text names a date, but not one we can be sure of: refuse, do not fall back."""


_YMD = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*[日号]?")
_NUMERIC_DMY = re.compile(r"(?<![\d:+-])(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)")
_CN_MD = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})(?!\d)\s*[日号]?")
_NUMERIC_MD = re.compile(r"(?<![\d:+./-])(\d{1,2})([-/])(\d{1,2})(?![\d:./-])")
_DAY_MONTH = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+([^\W\d_]{3,})\.?(?:,?\s+(\d{4})(?!\d))?"
)
_MONTH_DAY = re.compile(
    r"(?<![^\W\d_])([^\W\d_]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(\d{4})(?!\d))?"
)
_MONTH_STEMS = (
    ("jan", "янв"),
    ("feb", "фев"),
    ("mar", "мар"),
    ("apr", "апр"),
    ("may", "май", "мая"),
    ("jun", "июн"),
    ("jul", "июл"),
    ("aug", "авг"),
    ("sep", "сен"),
    ("oct", "окт"),
    ("nov", "ноя"),
    ("dec", "дек"),
)
_MONTHS = {stem: number for number, stems in enumerate(_MONTH_STEMS, 1) for stem in stems}

_CLOCK = re.compile(r"(?<![\d+:.-])(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2})(?:\.\d+)?)?(?!\d)")
_CN_CLOCK = re.compile(r"(?<![\d+:.-])(\d{1,2})\s*[点时](?:\s*(\d{1,2})\s*分?|\s*(半))?")
_BARE_HOUR = re.compile(r"(?<![\d+:.-])(\d{1,2})\s*(?=(?:a\.?m|p\.?m)(?![^\W\d_]))")
_MORNING = re.compile(r"上午|早上|早晨|凌晨|(?<![^\W\d_])a\.?m\.?(?![^\W\d_])")
_AFTERNOON = re.compile(r"下午|晚上|傍晚|中午|(?<![^\W\d_])p\.?m\.?(?![^\W\d_])")

# Relative days, longest first (`позавчера` contains `вчера`); None means "right now".
_RELATIVE: dict[str, int | None] = {
    "day before yesterday": -2,
    "позавчера": -2,
    "前天": -2,
    "yesterday": -1,
    "вчера": -1,
    "昨天": -1,
    "昨日": -1,
    "today": 0,
    "сегодня": 0,
    "今天": 0,
    "今日": 0,
    "tomorrow": 1,
    "завтра": 1,
    "明天": 1,
    "just now": None,
    "now": None,
    "сейчас": None,
    "现在": None,
    "刚刚": None,
    "刚才": None,
}
_RELATIVE_WORD = re.compile(
    "|".join(
        rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])" if word.isascii() else re.escape(word)
        for word in sorted(_RELATIVE, key=len, reverse=True)
    )
)


def _fixed(hours: int, minutes: int = 0) -> tzinfo:
    sign = -1 if hours < 0 else 1
    return timezone(timedelta(hours=hours, minutes=sign * minutes))


# Abbreviations people write after a time. `EST`, `CEST`… name one fixed offset, so they
# get it; `ET`, `PT`, `MSK` name a region's clock, so they get its zone.
_ABBREVIATIONS: dict[str, tzinfo] = {
    "utc": UTC,
    "gmt": UTC,
    "z": UTC,
    "bjt": BEIJING,
    "cst": BEIJING,
    "北京时间": BEIJING,
    "中国时间": BEIJING,
    "msk": ZoneInfo("Europe/Moscow"),
    "莫斯科时间": ZoneInfo("Europe/Moscow"),
    "мск": ZoneInfo("Europe/Moscow"),
    "hkt": _fixed(8),
    "sgt": _fixed(8),
    "jst": _fixed(9),
    "kst": _fixed(9),
    "ist": _fixed(5, 30),
    "cet": _fixed(1),
    "cest": _fixed(2),
    "eet": _fixed(2),
    "eest": _fixed(3),
    "est": _fixed(-5),
    "edt": _fixed(-4),
    "pst": _fixed(-8),
    "pdt": _fixed(-7),
    "et": ZoneInfo("America/New_York"),
    "pt": ZoneInfo("America/Los_Angeles"),
}
_OFFSET = re.compile(r"(?:(?<![^\W\d_])(?:utc|gmt))?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?!\d)")


def _words(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


# Words that may sit around a time without changing it (`shipped at 14:00 Beijing time`).
_FILLERS = _words(
    "at on around about approx approximately ca circa the of in time local t h o'clock oclock",
    "shipped signed delivered received в около примерно время",
    "时间 于 在 约 大约 左右 的 发货 签收 已发货 已签收 号",
    # The order page's own words around its auto-confirm time (`12月15日 18:00前`).
    "auto confirm confirms confirmation autoconfirm auto-confirm receipt by before until",
    "前 之前 以前 自动确认收货时间 自动确认收货 自动确认 确认收货时间 确认收货 收货时间 北京",
)
_WORD = re.compile(r"[^\W\d_][\w/']*")


@dataclass(frozen=True)
class _Parts:
    """What was found in the text; `rest` is the text with the found spans blanked out."""

    day: date | None
    day_offset: int | None  # relative day (today = 0), when no explicit date
    month_day: tuple[int, int] | None  # a date without a year
    clock: time | None
    is_now: bool
    rest: str


def parse_moment(text: str, now: datetime, zone: tzinfo = BEIJING) -> datetime | None:
    """The moment a text names, as aware UTC, or None when it names none or is unclear."""
    require_aware(now, "now")
    cleaned = unicodedata.normalize("NFKC", text).casefold().strip()
    if not cleaned or len(cleaned) > _MAX_INPUT:
        return None
    try:
        return _moment(cleaned, now, zone)
    except (ValueError, OverflowError):
        return None


def _moment(cleaned: str, now: datetime, default_zone: tzinfo) -> datetime | None:
    parts = _find_parts(cleaned)
    if parts is None:
        return None
    zone = _zone_of(parts.rest, default_zone)
    if zone is None:
        return None
    if parts.is_now:
        return now.astimezone(UTC) if parts.clock is None and parts.day is None else None
    day = _resolve_day(parts, now, zone)
    if day is None:
        return None
    return _localise(datetime.combine(day, parts.clock or time(0)), zone)


def _find_parts(text: str) -> _Parts | None:
    day, month_day, text = _find_date(text)
    day_offset: int | None = None
    is_now = False
    relative = _RELATIVE_WORD.search(text)
    if relative is not None:
        if day is not None or month_day is not None:
            return None  # `today 2026-11-28`: two dates
        offset = _RELATIVE[relative[0]]
        is_now = offset is None
        day_offset = offset
        text = _blank(text, relative)
    clock, text = _find_clock(text)
    if day is None and month_day is None and day_offset is None and clock is None and not is_now:
        return None
    return _Parts(day, day_offset, month_day, clock, is_now, text)


def _find_date(text: str) -> tuple[date | None, tuple[int, int] | None, str]:
    """A full date, or a (month, day) without a year, and the text without it."""
    day: date
    if match := _YMD.search(text):
        day = _checked_date(int(match[1]), int(match[2]), int(match[3]))
        return day, None, _blank(text, match)
    if match := _NUMERIC_DMY.search(text):
        day = _day_first_or_clear(int(match[1]), int(match[3]), int(match[4]), match[2])
        return day, None, _blank(text, match)
    if match := _CN_MD.search(text):
        return None, (int(match[1]), int(match[2])), _blank(text, match)
    if named := _named_month(text):
        year, month_day, match = named
        if year is None:
            return None, month_day, _blank(text, match)
        return _checked_date(year, *month_day), None, _blank(text, match)
    if match := _NUMERIC_MD.search(text):
        return None, _month_day_of(int(match[1]), int(match[3]), match[2]), _blank(text, match)
    return None, None, text


def _named_month(text: str) -> tuple[int | None, tuple[int, int], re.Match[str]] | None:
    """`28 Nov 2026`, `Nov 28`, `26 ноября`: (year or None, (month, day), the match)."""
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        for match in pattern.finditer(text):
            month = _month_number(match[month_group])
            if month is not None:
                year = int(match[3]) if match[3] else None
                return year, (month, int(match[day_group])), match
    return None


def _date_or_none(year: int, month: int, day: int) -> date | None:
    if year not in _YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _checked_date(year: int, month: int, day: int) -> date:
    found = _date_or_none(year, month, day)
    if found is None:
        raise _UnclearDateError(f"no such day: {year}-{month}-{day}")
    return found


def _day_first_or_clear(first: int, second: int, year: int, separator: str) -> date:
    """`28.11.2026` is day-first; with `/` or `-` only an order that is not ambiguous."""
    if separator == "." or first > 12:
        return _checked_date(year, second, first)
    if second > 12 or first == second:
        return _checked_date(year, first, second)
    raise _UnclearDateError("03/04/2026 is March 4 in the US and 3 April elsewhere")


def _month_day_of(first: int, second: int, separator: str) -> tuple[int, int]:
    """`11-28` is month-day (Chinese and ISO order); `28/11` and `11/28` only when clear."""
    if separator == "-" or first == second:
        return first, second
    if first > 12:
        return second, first
    if second > 12:
        return first, second
    raise _UnclearDateError("03/04 is March 4 in the US and 3 April elsewhere")


def _month_number(word: str) -> int | None:
    """`nov`, `November`, `ноября`: months are told apart by their first three letters."""
    return _MONTHS.get(word[:3])


def _find_clock(text: str) -> tuple[time | None, str]:
    hour: int
    minute = second = 0
    if match := _CLOCK.search(text):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    elif match := _CN_CLOCK.search(text):
        hour, minute = int(match[1]), 30 if match[3] else int(match[2] or 0)
    elif match := _BARE_HOUR.search(text):
        hour = int(match[1])
    else:
        return None, text
    text = _blank(text, match)
    hour, text = _twelve_hour(hour, text)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("not a time of day")
    return time(hour, minute, second), text


def _twelve_hour(hour: int, text: str) -> tuple[int, str]:
    """`2 pm`, `下午2点`: the half of the day a 12-hour clock reading is in."""
    if match := _AFTERNOON.search(text):
        return (hour + 12 if hour < 12 else hour), _blank(text, match)
    if match := _MORNING.search(text):
        return (0 if hour == 12 else hour), _blank(text, match)
    return hour, text


def _blank(text: str, match: re.Match[str]) -> str:
    """The text with a found span replaced by spaces, so positions of the rest hold."""
    start, end = match.span()
    return text[:start] + " " * (end - start) + text[end:]


def _zone_of(rest: str, default: tzinfo) -> tzinfo | None:
    """The zone the leftover words name, the default when they name none, None if unclear."""
    zones: list[tzinfo] = []
    if match := _OFFSET.search(rest):
        zones.append(_offset_zone(match))
        rest = _blank(rest, match)
    for phrase in ("北京时间", "中国时间", "莫斯科时间"):
        if phrase in rest:
            zones.append(_ABBREVIATIONS[phrase])
            rest = rest.replace(phrase, " ")
    if any(char.isdigit() for char in rest):
        return None  # a number we did not understand: better to ask than to guess
    words = _WORD.findall(rest)
    index = 0
    while index < len(words):
        pair = " ".join(words[index : index + 2])
        if index + 1 < len(words) and (zone := _named_zone(pair)) is not None:
            zones.append(zone)
            index += 2
            continue
        word = words[index]
        if word not in _FILLERS:
            zone = _named_zone(word)
            if zone is None:
                return None
            zones.append(zone)
        index += 1
    if len({_zone_key(zone) for zone in zones}) > 1:
        return None  # two different zones named
    return zones[0] if zones else default


def _offset_zone(match: re.Match[str]) -> tzinfo:
    hours, minutes = int(match[2]), int(match[3] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError("not a UTC offset")
    sign = -1 if match[1] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _named_zone(word: str) -> tzinfo | None:
    if word in _ABBREVIATIONS:
        return _ABBREVIATIONS[word]
    choice = parse_timezone(word)
    return choice.tzinfo() if choice else None


def _zone_key(zone: tzinfo) -> str:
    return str(zone)


def _resolve_day(parts: _Parts, now: datetime, zone: tzinfo) -> date | None:
    today = now.astimezone(zone).date()
    if parts.day is not None:
        return parts.day
    if parts.month_day is not None:
        return _nearest_year(*parts.month_day, today)
    return today + _DAY * (parts.day_offset or 0)


def _nearest_year(month: int, day: int, today: date) -> date | None:
    """A date without a year falls in the year that puts it closest to today."""
    candidates = [
        found
        for year in (today.year - 1, today.year, today.year + 1)
        if (found := _date_or_none(year, month, day)) is not None
    ]
    return min(candidates, key=lambda found: abs(found - today), default=None)


def _localise(wall: datetime, zone: tzinfo) -> datetime:
    """Aware UTC for a wall time; a repeated or skipped time gives the earlier instant."""
    readings = (wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    return min(readings)
