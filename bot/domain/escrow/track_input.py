"""What a buyer types to track an order: `6天23小时 mugs`, `2h30m`, `shipped 2026-11-20 14:00`,
`2026-11-28 14:00 fabric` (Beijing time unless a zone is named).

A deadline may err early, never late: a countdown with a minus sign or a deadline already
past is refused (`PastMoment`, naming the moment), never read as something else; a ship
time known only by its day is taken from the day's first minute and marked an estimate.

Pure: `now` is passed in, and every time comes back aware, in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.escrow.countdown import countdown_duration, is_negative_countdown, parse_countdown
from bot.domain.escrow.moments import parse_moment
from bot.domain.timezones import BEIJING

MAX_LABEL = 60
MAX_TRACK_WORDS = 24
_SHIPPED_WORDS = ("shipped", "发货", "已发货")
# Words of the order page around a countdown, which name no order.
_PAGE_WORDS = re.compile(
    r"^(?:[\s，,。:：()（）]|自动|确认|收货|时间|后|前|剩余|还剩|交易|超时|auto|confirm)*$",
    re.IGNORECASE,
)


# Beijing, named after a time that is Beijing time anyway.
_ZONE_WORDS = frozenset(
    {"北京时间", "北京", "(北京时间)", "（北京时间）", "beijing", "cst", "utc+8"}
)


@dataclass(frozen=True)
class TrackStart:
    """When the clock started: the seller shipped at `shipped_at`, or the order page's
    countdown ends at `countdown` (exactly one is set). `estimated`: the ship time was
    known only by its day, and is that day's first minute in Beijing."""

    shipped_at: datetime | None = None
    countdown: datetime | None = None
    estimated: bool = False


@dataclass(frozen=True)
class PastMoment:
    """What was typed points at `moment`, which has passed: no deadline can come of it."""

    moment: datetime


@dataclass(frozen=True)
class TrackInput:
    start: TrackStart
    label: str  # the words after the time; empty when there were none


def parse_start(timing: str, now: datetime) -> TrackStart | PastMoment | None:
    """The start of an order's clock from what the user typed; PastMoment when it points
    into the past; None when it reads as no time at all."""
    words = timing.split()
    if words and words[0].lower() in _SHIPPED_WORDS:
        shipped = parse_moment(" ".join(words[1:]) or "now", now, BEIJING)
        return TrackStart(shipped_at=shipped) if shipped and shipped <= now else None
    duration = countdown_duration(timing)
    if duration is not None and is_negative_countdown(timing):
        return PastMoment(now - duration)
    countdown = parse_countdown(timing, now)
    if countdown is not None:
        return TrackStart(countdown=countdown)
    moment = parse_moment(timing, now, BEIJING)
    if moment is None:
        return None
    return TrackStart(countdown=moment) if moment > now else PastMoment(moment)


def parse_track_text(typed: str, now: datetime) -> TrackInput | PastMoment | None:
    """The longest leading part that reads as a time is the time, the words after it are
    the label (unless they are only the page's own words, like 自动确认收货)."""
    words = typed.split()[:MAX_TRACK_WORDS]
    readings = [parse_start(" ".join(words[:cut]), now) for cut in range(1, len(words) + 1)]
    known = [(cut, start) for cut, start in enumerate(readings, start=1) if start is not None]
    if not known:
        return None
    # Parsers skip words they do not know, so the longest reading is the fullest; the
    # shortest prefix that already reads the same ends where the label begins.
    fullest = known[-1][1]
    if isinstance(fullest, PastMoment):
        return fullest
    cut = next(cut for cut, start in known if start == fullest)
    # "北京时间" after the time belongs to the time, not to the name.
    while cut < len(words) and words[cut].casefold() in _ZONE_WORDS:
        cut += 1
    label = " ".join(words[cut:])[:MAX_LABEL]
    return TrackInput(fullest, "" if _PAGE_WORDS.match(label) else label)


def shipped_on(day: date) -> TrackStart:
    """Shipped on `day` (Beijing), hour unknown: planned from the day's first minute, so a
    wrong guess can only make the reminders early."""
    return TrackStart(shipped_at=datetime.combine(day, time(0), BEIJING), estimated=True)


def shipped_days_ago(days: int, now: datetime) -> TrackStart:
    """ "Shipped today" (0) or "yesterday" (1), by the Beijing calendar."""
    return shipped_on(now.astimezone(BEIJING).date() - timedelta(days=days))


def ship_time_on(day: date, typed: str, now: datetime) -> datetime | None:
    """The ship time the user sets for a guessed `day`: `14:30` on that day, or a whole
    date and time. None when it reads as no time, or as a time still to come."""
    moment = parse_moment(typed, datetime.combine(day, time(12), BEIJING), BEIJING)
    if moment is None or moment > now:
        return None
    return moment
