"""What users type when asked where they are, and what the bot understands."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.timezones import (
    display_name,
    format_local,
    parse_timezone,
    short_display_name,
    utc_offset_label,
    zone_for,
)

NOON_UTC = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        ("  new   YORK ", "America/New_York"),
        ("Europe/Madrid", "Europe/Madrid"),
        ("北京", "Asia/Shanghai"),
        ("Yiwu", "Asia/Shanghai"),
        ("Москва", "Europe/Moscow"),
        ("sao paulo", "America/Sao_Paulo"),
        ("UTC+3", "Etc/GMT-3"),
        ("gmt-5", "Etc/GMT+5"),
        ("+8", "Etc/GMT-8"),
        ("ＵＴＣ＋３", "Etc/GMT-3"),
        ("+5:30", "Asia/Kolkata"),
        ("UTC+0", "UTC"),
        # A city with its country, as people write where they live.
        ("lagos nigeria", "Africa/Lagos"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("москва россия", "Europe/Moscow"),
        ("Москва, Россия", "Europe/Moscow"),
        ("Munich, Germany", "Europe/Berlin"),
        ("new york usa", "America/New_York"),
        ("Sydney, Australia", "Australia/Sydney"),
        ("Almaty Kazakhstan", "Asia/Almaty"),
        # A country with one zone is enough on its own.
        ("Nigeria", "Africa/Lagos"),
        ("Германия", "Europe/Berlin"),
    ],
)
def test_understands_cities_names_and_offsets(typed: str, zone: str) -> None:
    choice = parse_timezone(typed)

    assert choice is not None
    assert choice.name == zone


@pytest.mark.parametrize(
    "typed",
    # A country with several zones needs a city: guessing one could put deadlines hours off.
    ["", "   ", "Atlantis", "UTC+15", "+7:13", "x" * 500, "🙂", "Russia", "hello world"],
)
def test_refuses_what_is_not_a_zone(typed: str) -> None:
    assert parse_timezone(typed) is None


def test_offsets_read_the_way_people_write_them() -> None:
    plus_three = parse_timezone("UTC+3")
    assert plus_three is not None

    assert display_name(plus_three.name, NOON_UTC) == "UTC+03:00"
    assert format_local(NOON_UTC, plus_three.tzinfo()) == "Thu 26 Nov 15:00"


def test_beijing_is_eight_hours_ahead_of_utc() -> None:
    assert utc_offset_label(ZoneInfo("Asia/Shanghai"), NOON_UTC) == "UTC+08:00"


def test_unknown_stored_zone_falls_back_to_the_default() -> None:
    assert zone_for("Not/AZone", default="Europe/Berlin") == ZoneInfo("Europe/Berlin")


@given(st.text(max_size=80))
def test_any_text_gives_a_real_zone_or_none(text: str) -> None:
    choice = parse_timezone(text)
    if choice is not None:
        ZoneInfo(choice.name)


def test_dates_read_naturally_in_russian_whatever_the_process_locale() -> None:
    assert format_local(NOON_UTC, ZoneInfo("Asia/Shanghai"), "ru") == "чт 26 ноя 20:00"
    assert format_local(NOON_UTC, ZoneInfo("Asia/Shanghai"), "xx") == "Thu 26 Nov 20:00"


def test_a_zone_is_shown_short_as_its_city_where_space_is_tight() -> None:
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert short_display_name("America/Argentina/Buenos_Aires", moment) == "Buenos Aires"
    assert short_display_name("Europe/Berlin", moment) == "Berlin"
    assert short_display_name("Etc/GMT-3", moment) == "UTC+03:00"


@pytest.mark.parametrize("typed", ["UTC Beijing", "Beijing UTC", "Berlin Tokyo"])
def test_two_places_in_different_zones_name_no_zone(typed: str) -> None:
    assert parse_timezone(typed) is None
