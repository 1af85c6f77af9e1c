"""What a buyer types after /track: the time first, the order's name after it, read the
same way at any hour of the day and across a year end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.escrow.track_input import MAX_LABEL, TrackStart, parse_start, parse_track_text
from bot.domain.timezones import BEIJING

MOMENTS = [
    datetime(2026, 12, 7, 3, 6, tzinfo=UTC),  # 11:06 in Beijing
    datetime(2026, 12, 7, 15, 0, tzinfo=UTC),  # 23:00 in Beijing
    datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # already 2027 in Beijing
]


@pytest.mark.parametrize("now", MOMENTS, ids=lambda now: now.isoformat())
def test_a_countdown_and_a_name(now: datetime) -> None:
    typed = parse_track_text("还剩6天23小时 blue mugs", now)

    assert typed is not None
    assert typed.start == TrackStart(countdown=now + timedelta(days=6, hours=23))
    assert typed.label == "blue mugs"


@pytest.mark.parametrize("now", MOMENTS, ids=lambda now: now.isoformat())
def test_shipped_at_a_beijing_time(now: datetime) -> None:
    beijing_today = now.astimezone(BEIJING).date()
    typed = parse_track_text(f"shipped {beijing_today:%Y-%m-%d} 00:10 fabric", now)

    assert typed is not None
    assert typed.start.shipped_at == datetime(
        beijing_today.year, beijing_today.month, beijing_today.day, 0, 10, tzinfo=BEIJING
    )
    assert typed.label == "fabric"


@pytest.mark.parametrize("now", MOMENTS, ids=lambda now: now.isoformat())
def test_a_deadline_in_the_past_is_not_a_countdown(now: datetime) -> None:
    yesterday = (now - timedelta(days=1)).astimezone(BEIJING)
    assert parse_start(f"{yesterday:%Y-%m-%d %H:%M}", now) is None


def test_shipped_in_the_future_is_refused() -> None:
    now = MOMENTS[2]
    assert parse_start("shipped 2027-01-05 10:00", now) is None


def test_no_time_no_tracking() -> None:
    assert parse_track_text("mugs from the yiwu seller", MOMENTS[0]) is None


def test_a_long_name_is_cut() -> None:
    typed = parse_track_text("2h " + "x" * 200, MOMENTS[0])

    assert typed is not None
    assert len(typed.label) == MAX_LABEL
