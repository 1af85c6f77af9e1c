"""Button data: packed within Telegram's 64 bytes, stale or forged data recognised."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.callback_data import MAX_CALLBACK_BYTES, MAX_NUMBER, CallbackRoute, parse_number

ZONE = CallbackRoute("tz", (40,))
ORDER = CallbackRoute("ord", (8, 10))
WIDE = CallbackRoute("wide", (62,))


def test_round_trip() -> None:
    assert ZONE.unpack(ZONE.pack("Europe/Berlin")) == ("Europe/Berlin",)
    assert ORDER.unpack(ORDER.pack("ext", 7)) == ("ext", "7")


def test_refuses_to_pack_what_telegram_would_reject() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        WIDE.pack("ж" * 30)  # 60 bytes of Cyrillic plus the prefix
    with pytest.raises(ValueError, match="contains"):
        ZONE.pack("a|b")
    with pytest.raises(ValueError, match="parts"):
        ORDER.pack("only-one")


def test_refuses_parts_wider_than_declared() -> None:
    with pytest.raises(ValueError, match="1-40 bytes"):
        ZONE.pack("ж" * 21)  # 42 bytes: fits Telegram, not the route
    with pytest.raises(ValueError, match="1-40 bytes"):
        ZONE.pack("")
    assert ZONE.unpack("tz|" + "a" * 41) is None
    assert ORDER.unpack("ord|ext|12345678901") is None


def test_the_longest_data_is_known_before_any_button_is_drawn() -> None:
    assert ORDER.longest == len("ord|") + 8 + 1 + 10
    assert len(ORDER.pack("x" * 8, 2**31 - 1).encode()) == ORDER.longest


@pytest.mark.parametrize("data", ["", None, "tz", "tz|", "ord|a|b", "xx|Europe/Berlin", "tz|a|b"])
def test_stale_or_forged_data_unpacks_to_none(data: str | None) -> None:
    assert ZONE.unpack(data) is None


def test_patterns_match_only_their_flow() -> None:
    assert ZONE.pattern.match("tz|x")
    assert not ZONE.pattern.match("tzx|x")
    assert ZONE.exact("Asia/Tokyo").match("tz|Asia/Tokyo")
    assert not ZONE.exact("Asia/Tokyo").match("tz|Asia/Tokyo2")


@given(st.text(min_size=1, max_size=40).filter(lambda s: "|" not in s))
def test_anything_packed_fits_and_comes_back(part: str) -> None:
    try:
        data = ZONE.pack(part)
    except ValueError:
        assert len(part.encode()) > 40
        return
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert ZONE.unpack(data) == (part,)


@pytest.mark.parametrize(
    ("part", "number"), [("0", 0), ("42", 42), ("007", 7), ("2147483647", 2**31 - 1)]
)
def test_numbers_from_button_data(part: str, number: int) -> None:
    assert parse_number(part) == number


@pytest.mark.parametrize(
    "part", [None, "", "-1", "+1", "1e3", " 1", "²", "١٢", "2147483648", "9" * 40, "x"]
)
def test_anything_else_is_no_number(part: str | None) -> None:
    # "²" passes str.isdigit() and makes int() raise; "١٢" is a number int() reads, but no
    # button of ours carries one; past MAX_NUMBER no row exists and PostgreSQL would refuse.
    assert parse_number(part) is None


@given(st.text(max_size=MAX_CALLBACK_BYTES))
def test_parse_number_never_raises(part: str) -> None:
    number = parse_number(part)
    assert number is None or 0 <= number <= MAX_NUMBER
