"""The times an order page shows: its countdown, its auto-confirm time, when it shipped and
when it was signed for. 下单时间 (ordered) and 付款时间 (paid) are never read: they say
nothing about when the money is released.

Every function takes the cleaned, flattened page (text.clean, then text.flat).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.domain.escrow.countdown import MAX_COUNTDOWN, countdown_duration
from bot.domain.escrow.order_page.text import snippet, squeeze_digits
from bot.domain.timezones import BEIJING


@dataclass(frozen=True)
class Found:
    """A time found on the page; `day_only`: no time of day was given (read as 00:00)."""

    moment: datetime
    day_only: bool
    evidence: str


@dataclass(frozen=True)
class FoundCountdown:
    duration: timedelta
    evidence: str


# ---------------------------------------------------------------- countdowns

_UNIT = (
    r"(?:天|日|个小时|小时|时|分钟|分|秒钟|秒"
    r"|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|[dhms](?![a-z]))"
)
_NUMBER = r"\d(?: ?\d)*(?:\.\d+)?"  # OCR may put a space inside a number
_SPAN = rf"(?:(?:{_NUMBER}\s*{_UNIT}|\d{{1,3}}:\d{{2}}(?::\d{{2}})?)\s*)+"
_COUNTDOWN = re.compile(
    rf"(?:还剩|剩余时间|剩余|还有|倒计时"
    rf"|(?i:auto[- ]?confirm\w*(?: receipt)? in"
    rf"|(?:time )?(?:left|remaining)(?: time)?(?: (?:to|until|before) [a-z -]{{1,30}}?)?))"
    rf"\s*[:：]?\s*(?P<span>{_SPAN})",
)
# `6天23小时后自动确认收货`, `5 days 12 hours left`: amounts only, so the end of a time of
# day (`16:40:11 7天后`) cannot join the span.
_COUNTDOWN_AFTER = re.compile(
    rf"(?<![\d:])(?P<span>(?:{_NUMBER}\s*{_UNIT}\s*)+)(?:后|(?i:left|remaining))"
)
# `确认收货超时：6天23小时59分`, `Auto-confirm countdown: 6d 23h`: a running countdown
# right after the confirm words; two units at least, so a rule the page states
# (`自动确认收货：10天`) is not read as time left.
_COUNTDOWN_AFTER_CONFIRM = re.compile(
    rf"(?:确认收货|自动确认|(?i:auto[- ]?confirm\w*))(?:收货)?"
    rf"(?:超时|期限|倒计时|剩余时间|(?i: countdown))?\s*[:：⏱]?\s*"
    rf"(?P<span>(?:{_NUMBER}\s*{_UNIT}\s*){{2,}})"
)
# Words near a countdown that say it counts down to auto-confirm (not a refund's or a
# payment's countdown).
_CONFIRM_WORDS = re.compile(r"确认|收货|(?i:confirm)")
_CONTEXT = 14


def find_countdown(line: str) -> FoundCountdown | None:
    """The auto-confirm countdown; a countdown without confirm words near it only when the
    page shows no other."""
    found: list[tuple[bool, FoundCountdown]] = []
    matches = [
        *_COUNTDOWN.finditer(line),
        *_COUNTDOWN_AFTER.finditer(line),
        *_COUNTDOWN_AFTER_CONFIRM.finditer(line),
    ]
    for match in sorted(matches, key=lambda match: match.start()):
        span = squeeze_digits(match["span"]).strip()
        duration = countdown_duration("剩" + span)
        if duration is None or not timedelta(0) < duration <= MAX_COUNTDOWN:
            continue
        start, end = match.span()
        near = line[max(0, start - _CONTEXT) : end + _CONTEXT]
        confirm = bool(_CONFIRM_WORDS.search(near))
        found.append((confirm, FoundCountdown(duration, snippet(line, start, end, 8))))
    confirmed = [countdown for confirm, countdown in found if confirm]
    if confirmed:
        return confirmed[0]
    return found[0][1] if found else None


# ---------------------------------------------------------------- dates and times

_DATE_TIME = (
    r"(?:(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"|(?P<mo2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号]?"
    r"|(?P<mo3>\d{1,2})-(?P<d3>\d{1,2})(?![\d-]))"
    r"(?:\s*(?P<h>\d{1,2})\s*:\s*(?P<mi>\d{2})(?:\s*:\s*(?P<s>\d{2}))?)?"
)
_AUTO_CONFIRM = (
    re.compile(rf"自动确认收货时间\s*[:：]?\s*{_DATE_TIME}"),
    re.compile(
        rf"(?i:auto[- ]?confirm\w*(?: receipt)?(?: time| on| at)?)\s*[:：]?\s*{_DATE_TIME}"
    ),
    # `系统将于12月15日 18:00前自动确认收货`
    re.compile(rf"{_DATE_TIME}\s*(?:之?前)?\s*(?:系统)?(?:将)?自动确认"),
)
_SHIPPED = re.compile(
    rf"(?:卖家发货时间|发货时间|(?i:shipping time|ship time|shipped(?: at| on)?))"
    rf"\s*[:：]?\s*{_DATE_TIME}"
)
_SIGNED = re.compile(
    rf"(?:签收时间|(?i:signed(?: at| on)?|sign time|delivered(?: at| on)?))"
    rf"\s*[:：]?\s*{_DATE_TIME}"
)
# An auto-confirm date this long past is still this year's: a page read late, not next year.
_GRACE_PAST = timedelta(days=30)
_EXTENDED = re.compile(r"延长(?:收货)?(?:时间)?\s*(\d{1,2})\s*天")


# A time with its own label (`付款时间：… ` on the line before 自动确认) is that time, never the
# auto-confirm one, even when the flattened page puts 自动确认 right after it.
_OTHER_TIME_LABEL = re.compile(r"(?:时间|(?i:time|at|on))\s*[:：]?\s*$")


def find_auto_confirm(line: str, now: datetime) -> Found | None:
    """The auto-confirm time the page states; a date without a year is the next one."""
    for pattern in _AUTO_CONFIRM:
        for match in pattern.finditer(line):
            if pattern is _AUTO_CONFIRM[-1] and _OTHER_TIME_LABEL.search(
                line[max(0, match.start() - 12) : match.start()]
            ):
                continue
            found = _found(match, line, now, ahead=True)
            if found is not None:
                return found
    return None


def find_shipped(line: str, now: datetime) -> Found | None:
    """发货时间; a date without a year is the last one before now."""
    return _first_past(_SHIPPED, line, now)


def find_signed(line: str, now: datetime) -> Found | None:
    """签收时间; a date without a year is the last one before now."""
    return _first_past(_SIGNED, line, now)


def find_extension_days(line: str) -> int:
    """Days already added by 延长收货 (`已延长收货3天`), 0 when the page names none."""
    return sum(int(match[1]) for match in _EXTENDED.finditer(line))


def _first_past(pattern: re.Pattern[str], line: str, now: datetime) -> Found | None:
    for match in pattern.finditer(line):
        found = _found(match, line, now, ahead=False)
        if found is not None:
            return found
    return None


def _found(match: re.Match[str], line: str, now: datetime, *, ahead: bool) -> Found | None:
    moment = _moment(match, now, ahead=ahead)
    if moment is None:
        return None
    day_only = match["h"] is None
    return Found(moment, day_only, snippet(line, *match.span()))


def _moment(match: re.Match[str], now: datetime, *, ahead: bool) -> datetime | None:
    """The Beijing wall time a match names, as UTC; None when it is no real date or time."""
    hour, minute, second = (int(match[name] or 0) for name in ("h", "mi", "s"))
    if hour > 23 or minute > 59 or second > 59:
        return None
    if match["y"]:
        day = _day(int(match["y"]), int(match["mo"]), int(match["d"]))
    else:
        month = int(match["mo2"] or match["mo3"])
        day_of_month = int(match["d2"] or match["d3"])
        day = _day_without_year(month, day_of_month, now, ahead=ahead)
    if day is None:
        return None
    wall = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=BEIJING)
    return wall.astimezone(UTC)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_without_year(month: int, day: int, now: datetime, *, ahead: bool) -> date | None:
    """The year a month and day belong to, by the Beijing calendar.

    Ahead (an auto-confirm date): the next such day, so in late December 1月2日 is next
    January; but a day up to a month past stays this year (an old page, read late), as a
    deadline already passed rather than one a year late. Not ahead (a ship or sign date):
    the last such day up to tomorrow, so 12月28日 read in early January is last year's.
    """
    today = now.astimezone(BEIJING).date()
    candidates = [
        found
        for year in (today.year - 1, today.year, today.year + 1)
        if (found := _day(year, month, day)) is not None
    ]
    if ahead:
        plausible = [found for found in candidates if found >= today - _GRACE_PAST]
        return min(plausible, default=None)
    plausible = [found for found in candidates if found <= today + timedelta(days=1)]
    return max(plausible, default=None)
