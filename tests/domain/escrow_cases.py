"""What buyers type for countdowns and moments, and what each must mean.

All moments are read at NOW = 2026-11-27 17:00 UTC, which is already 2026-11-28 01:00 in
Beijing: "today" and "yesterday" differ between the two zones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def _d(days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> timedelta:
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


# (typed, the duration it states)
COUNTDOWNS: list[tuple[str, timedelta]] = [
    ("还剩6天23小时59分", _d(6, 23, 59)),
    ("6天23时", _d(6, 23)),
    ("剩余 6 天", _d(6)),
    ("6d 23h", _d(6, 23)),
    ("2h30m", _d(hours=2, minutes=30)),
    ("3m", _d(minutes=3)),
    ("45s", _d(seconds=45)),
    ("6 days 23 hours", _d(6, 23)),
    ("6 days, 23 hours and 5 minutes", _d(6, 23, 5)),
    ("1 day 1 hour", _d(1, 1)),
    ("还剩 2 天 3 小时 15 分 20 秒", _d(2, 3, 15, 20)),
    ("剩余时间：6天23:59:59", _d(6, 23, 59, 59)),
    ("剩余时间:6天 23:59", _d(6, 23, 59)),
    ("还剩 23:59:59", _d(hours=23, minutes=59, seconds=59)),
    ("5 days 10:30 left", _d(5, 10, 30)),
    # Full-width digits and colons, as copied from a Chinese page or typed with a CJK IME.
    ("还剩６天２３小时５９分", _d(6, 23, 59)),
    ("剩余时间：６天２３：５９：５９", _d(6, 23, 59, 59)),
    ("６ｄ　２３ｈ", _d(6, 23)),
    # Mixed spacing and case.
    ("  6  D   23H ", _d(6, 23)),
    ("6天 23 小时59 分钟", _d(6, 23, 59)),
    ("3个小时", _d(hours=3)),
    ("2 hrs 5 mins", _d(hours=2, minutes=5)),
    ("1.5d", _d(1, 12)),
    ("6 дней 5 часов", _d(6, 5)),
    ("90天", _d(90)),
]

# Texts that state no countdown: they must give None, never a made-up deadline.
NOT_COUNTDOWNS: list[str] = [
    "",
    "   ",
    "hello",
    "还剩",
    "6",
    "3 months",
    "6 dollars",
    "23:59:59",  # a time of day, unless the text says it is time left
    "2026-11-28 14:00",
    "11-28 14:00",
    "28.11.2026 14:00",
    "2026年11月28日 14:00",
    "11月28日",
    "today 14:00",
    "91 days",
    "还剩100天",
    "2200h",
    "9" * 5000 + "d",
]

# (typed, what it means in UTC) with the default zone, Beijing (UTC+8, no DST).
MOMENTS_BEIJING: list[tuple[str, datetime]] = [
    ("2026-11-28 14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("2026/11/28 14:00:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("2026-11-28T14:00:05", datetime(2026, 11, 28, 6, 0, 5, tzinfo=UTC)),
    ("11-28 14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("28.11.2026 14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("28/11/2026 14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("11/28/2026 14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("2026年11月28日 14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("2026年11月28日14时30分", datetime(2026, 11, 28, 6, 30, tzinfo=UTC)),
    ("11月28日 下午2点", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("11月26日 上午9点半", datetime(2026, 11, 26, 1, 30, tzinfo=UTC)),
    ("28 Nov 2026 2pm", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("Nov 26, 2026 9:15 am", datetime(2026, 11, 26, 1, 15, tzinfo=UTC)),
    ("26 ноября 10:00", datetime(2026, 11, 26, 2, 0, tzinfo=UTC)),
    ("shipped at 14:00 Beijing time", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    # Beijing's today is 11-28 already: today/yesterday follow Beijing's calendar.
    ("today 14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("yesterday 09:30", datetime(2026, 11, 27, 1, 30, tzinfo=UTC)),
    ("今天", datetime(2026, 11, 27, 16, 0, tzinfo=UTC)),
    ("昨天", datetime(2026, 11, 26, 16, 0, tzinfo=UTC)),
    ("昨天 15:20", datetime(2026, 11, 27, 7, 20, tzinfo=UTC)),
    ("前天", datetime(2026, 11, 25, 16, 0, tzinfo=UTC)),
    ("вчера 10:00", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
    ("14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    # A bare date is the start of that day.
    ("2026-11-20", datetime(2026, 11, 19, 16, 0, tzinfo=UTC)),
    ("now", NOW),
    ("刚刚", NOW),
]

# (typed, what it means in UTC): the zone the user names wins over Beijing.
MOMENTS_NAMED_ZONE: list[tuple[str, datetime]] = [
    ("2026-11-28 14:00 UTC", datetime(2026, 11, 28, 14, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 GMT", datetime(2026, 11, 28, 14, 0, tzinfo=UTC)),
    ("2026-11-28 14:00Z", datetime(2026, 11, 28, 14, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 +03:00", datetime(2026, 11, 28, 11, 0, tzinfo=UTC)),
    ("2026-11-28T14:00:00+08:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 UTC-5", datetime(2026, 11, 28, 19, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 GMT+0530", datetime(2026, 11, 28, 8, 30, tzinfo=UTC)),
    ("2026-11-28 14:00 MSK", datetime(2026, 11, 28, 11, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 Beijing", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 (CST)", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("北京时间 2026-11-28 14:00", datetime(2026, 11, 28, 6, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 Moscow", datetime(2026, 11, 28, 11, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 Europe/Berlin", datetime(2026, 11, 28, 13, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 New York", datetime(2026, 11, 28, 19, 0, tzinfo=UTC)),
    ("2026-11-28 14:00 EST", datetime(2026, 11, 28, 19, 0, tzinfo=UTC)),
    # In UTC it is still 11-27, so yesterday is 11-26.
    ("yesterday 09:30 UTC", datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
]

NOT_MOMENTS: list[str] = [
    "",
    "garbage",
    "6天23小时",
    "2026-02-30 10:00",  # no such day
    "2026-11-28 25:00",
    "2026-11-28 14:00 Atlantis",
    "Tuesday 14:00",  # a weekday we do not read must not become today
    "03/04/2026",  # March 4 or 3 April: refuse to guess
    "03/04/2026 10:00",  # ... and never fall back to today at 10:00
    "03/04 10:00",
    "13-13 10:00",
    "2026-13-01",
    "2026-11-28 14:00 5",
    "today 2026-11-28",
    "2026-11-28 14:00 UTC Beijing",  # two different zones
    "now 14:00",
    "x" * 1000,
]
