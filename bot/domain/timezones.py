"""Understanding what a user types when asked for their time zone.

Accepts an IANA name (`Europe/Berlin`), a city (`berlin`, `New York`, `北京`, `Москва`) or a
UTC offset (`UTC+3`, `GMT-05:30`, `+8`). Pure: no I/O beyond the system's zone database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

BEIJING = ZoneInfo("Asia/Shanghai")

# Cities buyers live in or source from whose names are not the tail of an IANA zone name.
_CITY_ALIASES: dict[str, str] = {
    "beijing": "Asia/Shanghai",
    "北京": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "广州": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "深圳": "Asia/Shanghai",
    "yiwu": "Asia/Shanghai",
    "义乌": "Asia/Shanghai",
    "hangzhou": "Asia/Shanghai",
    "杭州": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "香港": "Asia/Hong_Kong",
    "new york": "America/New_York",
    "nyc": "America/New_York",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "saint petersburg": "Europe/Moscow",
    "st petersburg": "Europe/Moscow",
    "москва": "Europe/Moscow",
    "санкт-петербург": "Europe/Moscow",
    "питер": "Europe/Moscow",
    "новосибирск": "Asia/Novosibirsk",
    "екатеринбург": "Asia/Yekaterinburg",
    "владивосток": "Asia/Vladivostok",
    "алматы": "Asia/Almaty",
    "ташкент": "Asia/Tashkent",
    "киев": "Europe/Kyiv",
    "київ": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
    "минск": "Europe/Minsk",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "manchester": "Europe/London",
    "abu dhabi": "Asia/Dubai",
    "riyadh": "Asia/Riyadh",
    "cairo": "Africa/Cairo",
    "lagos": "Africa/Lagos",
    "rio de janeiro": "America/Sao_Paulo",
    "ho chi minh": "Asia/Ho_Chi_Minh",
    "saigon": "Asia/Ho_Chi_Minh",
    "hanoi": "Asia/Bangkok",
    "melbourne": "Australia/Melbourne",
    "sydney": "Australia/Sydney",
    "auckland": "Pacific/Auckland",
    "utc": "UTC",
    "gmt": "UTC",
}

# Countries that keep one time zone, so naming the country is enough. Countries with
# several (Russia, the USA, Brazil, Australia…) need a city and are left out on purpose.
_COUNTRIES: dict[str, str] = {
    "nigeria": "Africa/Lagos",
    "germany": "Europe/Berlin",
    "deutschland": "Europe/Berlin",
    "германия": "Europe/Berlin",
    "france": "Europe/Paris",
    "франция": "Europe/Paris",
    "italy": "Europe/Rome",
    "spain": "Europe/Madrid",
    "poland": "Europe/Warsaw",
    "польша": "Europe/Warsaw",
    "netherlands": "Europe/Amsterdam",
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "england": "Europe/London",
    "великобритания": "Europe/London",
    "turkey": "Europe/Istanbul",
    "турция": "Europe/Istanbul",
    "ukraine": "Europe/Kyiv",
    "украина": "Europe/Kyiv",
    "belarus": "Europe/Minsk",
    "беларусь": "Europe/Minsk",
    "беларуси": "Europe/Minsk",
    "uzbekistan": "Asia/Tashkent",
    "узбекистан": "Asia/Tashkent",
    "georgia": "Asia/Tbilisi",
    "грузия": "Asia/Tbilisi",
    "armenia": "Asia/Yerevan",
    "армения": "Asia/Yerevan",
    "uae": "Asia/Dubai",
    "оаэ": "Asia/Dubai",
    "saudi arabia": "Asia/Riyadh",
    "egypt": "Africa/Cairo",
    "египет": "Africa/Cairo",
    "ghana": "Africa/Accra",
    "kenya": "Africa/Nairobi",
    "south africa": "Africa/Johannesburg",
    "india": "Asia/Kolkata",
    "индия": "Asia/Kolkata",
    "pakistan": "Asia/Karachi",
    "bangladesh": "Asia/Dhaka",
    "thailand": "Asia/Bangkok",
    "таиланд": "Asia/Bangkok",
    "vietnam": "Asia/Ho_Chi_Minh",
    "вьетнам": "Asia/Ho_Chi_Minh",
    "philippines": "Asia/Manila",
    "malaysia": "Asia/Kuala_Lumpur",
    "japan": "Asia/Tokyo",
    "япония": "Asia/Tokyo",
    "korea": "Asia/Seoul",
    "south korea": "Asia/Seoul",
    "корея": "Asia/Seoul",
    "israel": "Asia/Jerusalem",
    "израиль": "Asia/Jerusalem",
    "китай": "Asia/Shanghai",
    "中国": "Asia/Shanghai",
    "new zealand": "Pacific/Auckland",
}

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:\s*[:.]?\s*(\d{2}))?$")
_MAX_INPUT = 64


@dataclass(frozen=True)
class TimezoneChoice:
    """A zone the bot can store: always an IANA name (`Europe/Berlin`, `Etc/GMT-3`)."""

    name: str

    def tzinfo(self) -> tzinfo:
        return zone_for(self.name)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    return re.sub(r"\s+", " ", folded)


@cache
def _zones_by_city() -> dict[str, str]:
    index: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        index.setdefault(name.casefold(), name)
        city = name.rsplit("/", 1)[-1].replace("_", " ").casefold()
        index.setdefault(city, name)
    return index


# Offsets that are not whole hours have no Etc/ zone; each maps to the one place using it.
_PART_HOUR_ZONES = {
    "+03:30": "Asia/Tehran",
    "+04:30": "Asia/Kabul",
    "+05:30": "Asia/Kolkata",
    "+05:45": "Asia/Kathmandu",
    "+06:30": "Asia/Yangon",
    "+08:45": "Australia/Eucla",
    "+09:30": "Australia/Darwin",
    "+10:30": "Australia/Lord_Howe",
    "+12:45": "Pacific/Chatham",
    "-02:30": "America/St_Johns",
    "-03:30": "America/St_Johns",
    "-09:30": "Pacific/Marquesas",
}


def _fixed_offset_zone(sign: str, hours: int, minutes: int) -> str | None:
    """An IANA name for a UTC offset, so everything stored is a real zone name."""
    if minutes:
        return _PART_HOUR_ZONES.get(f"{sign}{hours:02d}:{minutes:02d}")
    if hours == 0:
        return "UTC"
    if (sign == "+" and hours <= 14) or (sign == "-" and hours <= 12):
        # POSIX-style Etc names invert the sign: UTC+3 is Etc/GMT-3.
        return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    return None


def parse_timezone(text: str) -> TimezoneChoice | None:
    """The zone a user meant, or None when the text names no zone we know."""
    cleaned = _normalise(text)
    if not cleaned or len(cleaned) > _MAX_INPUT:
        return None
    offset = _OFFSET.match(cleaned)
    if offset:
        name = _fixed_offset_zone(offset[1], int(offset[2]), int(offset[3] or 0))
        return TimezoneChoice(name) if name else None
    zone = _place(cleaned)
    if zone is None:
        zone = _place_in_words(cleaned)
    return TimezoneChoice(zone) if zone else None


def _place(cleaned: str) -> str | None:
    if cleaned in _CITY_ALIASES:
        return _CITY_ALIASES[cleaned]
    if cleaned in _COUNTRIES:
        return _COUNTRIES[cleaned]
    return _zones_by_city().get(cleaned) or _zones_by_city().get(cleaned.replace(" ", "_"))


_PLACE_WORDS = re.compile(r"[^\w/'-]+")


def _place_in_words(cleaned: str) -> str | None:
    """A city named with its country or region ("lagos nigeria", "Berlin, Germany",
    "москва россия"): the longest run of words that names a place, the city before the
    country, since a country may span several zones and the city says which one."""
    words = [word for word in _PLACE_WORDS.split(cleaned) if word]
    for size in range(len(words) - 1, 0, -1):
        named = [
            (phrase, zone)
            for start in range(len(words) - size + 1)
            if (zone := _place(phrase := " ".join(words[start : start + size])))
        ]
        if named:
            cities = {zone for phrase, zone in named if phrase not in _COUNTRIES}
            if len(cities) > 1:
                return None  # two places in different zones ("UTC Beijing"): ask, don't pick
            return next(iter(cities)) if cities else named[0][1]
    return None


def zone_for(name: str | None, default: str = "UTC") -> tzinfo:
    """A tzinfo for a stored zone name; an unknown or missing name gives `default`."""
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def display_name(name: str, at: datetime) -> str:
    """How a stored zone is shown: `Etc/GMT-3` reads as `UTC+03:00`, the rest as is."""
    if name.startswith("Etc/") or name == "UTC":
        return utc_offset_label(zone_for(name), at)
    return name


def short_display_name(name: str, at: datetime) -> str:
    """The zone as a person says it, for tight spaces: `America/Argentina/Buenos_Aires`
    reads as `Buenos Aires`; offsets as in `display_name`."""
    shown = display_name(name, at)
    return shown if shown.startswith("UTC") else shown.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset_label(zone: tzinfo, at: datetime) -> str:
    """`UTC+08:00` style label of the zone's offset at a moment."""
    offset = at.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


_DAY_MONTH_NAMES = {
    "ru": (
        ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
        ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    ),
}


def format_local(moment: datetime, zone: tzinfo, language: str = "en") -> str:
    """`Thu 26 Nov 17:05` (`чт 26 ноя 17:05` in Russian) in the given zone; the moment must
    be timezone-aware. Names come from a table, not the process locale."""
    local = moment.astimezone(zone)
    names = _DAY_MONTH_NAMES.get(language)
    if names is None:
        return local.strftime("%a %d %b %H:%M")
    days, months = names
    return f"{days[local.weekday()]} {local:%d} {months[local.month - 1]} {local:%H:%M}"
