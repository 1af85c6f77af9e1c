"""What a buyer types after /track: the time first, the order's name after it, read the
same way at any hour of the day and across a year end."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.escrow.track_input import (
    MAX_LABEL,
    PastMoment,
    TrackInput,
    TrackStart,
    parse_start,
    parse_track_text,
    shipped_days_ago,
)
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
def test_a_deadline_in_the_past_is_refused_naming_it(now: datetime) -> None:
    yesterday = (now - timedelta(days=1)).astimezone(BEIJING).replace(second=0, microsecond=0)

    assert parse_start(f"{yesterday:%Y-%m-%d %H:%M}", now) == PastMoment(yesterday)


@pytest.mark.parametrize("typed", ["-5h", "还剩-2天", "- 1d 3h"])
def test_a_negative_countdown_points_into_the_past(typed: str) -> None:
    now = MOMENTS[0]

    past = parse_start(typed, now)

    assert isinstance(past, PastMoment)
    assert past.moment < now


@pytest.mark.parametrize("now", MOMENTS, ids=lambda now: now.isoformat())
def test_a_day_without_an_hour_starts_at_its_first_beijing_minute(now: datetime) -> None:
    today = shipped_days_ago(0, now)

    assert today.estimated
    assert today.shipped_at is not None
    assert today.shipped_at.astimezone(BEIJING).time() == time(0)
    assert today.shipped_at <= now, "never later than the real ship time"


def test_page_words_name_no_order() -> None:
    typed = parse_track_text("还剩 5天12小时 自动确认收货", MOMENTS[0])

    assert isinstance(typed, TrackInput)
    assert typed.label == ""


def test_shipped_in_the_future_is_refused() -> None:
    now = MOMENTS[2]
    assert parse_start("shipped 2027-01-05 10:00", now) is None


def test_no_time_no_tracking() -> None:
    assert parse_track_text("mugs from the yiwu seller", MOMENTS[0]) is None


def test_a_long_name_is_cut() -> None:
    typed = parse_track_text("2h " + "x" * 200, MOMENTS[0])

    assert typed is not None
    assert len(typed.label) == MAX_LABEL
