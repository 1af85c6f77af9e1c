"""What a buyer types to track an order: `6天23小时 mugs`, `2h30m`, `shipped 2026-11-20 14:00`,
`2026-11-28 14:00 fabric` (Beijing time unless a zone is named).

Pure: `now` is passed in, and every time comes back aware, in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.escrow.countdown import parse_countdown
from bot.domain.escrow.moments import parse_moment
from bot.domain.timezones import BEIJING

MAX_LABEL = 60
MAX_TRACK_WORDS = 24
_SHIPPED_WORDS = ("shipped", "发货", "已发货")


@dataclass(frozen=True)
class TrackStart:
    """When the clock started: the seller shipped at `shipped_at`, or the order page's
    countdown ends at `countdown` (exactly one is set)."""

    shipped_at: datetime | None = None
    countdown: datetime | None = None


@dataclass(frozen=True)
class TrackInput:
    start: TrackStart
    label: str  # the words after the time; empty when there were none


def parse_start(timing: str, now: datetime) -> TrackStart | None:
    """The start of an order's clock from what the user typed, or None."""
    words = timing.split()
    if words and words[0].lower() in _SHIPPED_WORDS:
        shipped = parse_moment(" ".join(words[1:]) or "now", now, BEIJING)
        return TrackStart(shipped_at=shipped) if shipped and shipped <= now else None
    countdown = parse_countdown(timing, now)
    if countdown is not None:
        return TrackStart(countdown=countdown)
    moment = parse_moment(timing, now, BEIJING)
    if moment is not None and moment > now:
        return TrackStart(countdown=moment)
    return None


def parse_track_text(typed: str, now: datetime) -> TrackInput | None:
    """The longest leading part that reads as a time is the time, the words after it are
    the label."""
    words = typed.split()[:MAX_TRACK_WORDS]
    readings = [parse_start(" ".join(words[:cut]), now) for cut in range(1, len(words) + 1)]
    known = [(cut, start) for cut, start in enumerate(readings, start=1) if start is not None]
    if not known:
        return None
    # Parsers skip words they do not know, so the longest reading is the fullest; the
    # shortest prefix that already reads the same ends where the label begins.
    fullest = known[-1][1]
    cut = next(cut for cut, start in known if start == fullest)
    return TrackInput(fullest, " ".join(words[cut:])[:MAX_LABEL])
