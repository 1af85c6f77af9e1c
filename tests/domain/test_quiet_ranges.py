"""Quiet hours as people type them, in 24-hour and 12-hour forms, in three languages."""

from __future__ import annotations

import pytest

from bot.domain.quiet_ranges import QuietOff, QuietRange, parse_quiet_range


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("23-7", (23, 7)),
        ("22:00-07:00", (22, 7)),
        ("22.00 – 7.00", (22, 7)),
        ("11 pm - 7 am", (23, 7)),
        ("11pm-7", (23, 7)),
        ("10-6am", (22, 6)),
        ("from 10 p.m. to 6 a.m.", (22, 6)),
        ("12am-8am", (0, 8)),
        ("9am to 5pm", (9, 17)),
        ("с 23 до 7", (23, 7)),
        ("с 11 вечера до 7 утра", (23, 7)),
        ("23点到7点", (23, 7)),
        ("0-8", (0, 8)),
    ],
)
def test_typed_ranges(typed: str, hours: tuple[int, int]) -> None:
    parsed = parse_quiet_range(typed)

    assert isinstance(parsed, QuietRange)
    assert (parsed.start, parsed.end) == hours
    assert not parsed.widened


def test_minutes_widen_the_range_to_whole_hours() -> None:
    assert parse_quiet_range("10pm to 6:30am") == QuietRange(22, 7, widened=True)
    assert parse_quiet_range("22:30-06:30") == QuietRange(22, 7, widened=True)


@pytest.mark.parametrize("typed", ["off", "OFF", "нет", "выкл", "关闭"])
def test_off(typed: str) -> None:
    assert parse_quiet_range(typed) == QuietOff()


@pytest.mark.parametrize("typed", ["23-23", "25-7", "13pm-7am", "hello", "10-15 days", "7:75-8"])
def test_not_a_range(typed: str) -> None:
    assert parse_quiet_range(typed) is None
