"""The USCC check: GB 32100-2015 format, check character, decoding, and finding it in text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.suppliers.registry import (
    ALPHABET,
    PROBLEMS,
    WEIGHTS,
    check_uscc,
    find_uscc,
)

# python-stdnum's documented example, and codes whose check characters were worked out by
# hand from the weights (3**i mod 31) and then confirmed with a second, separate script.
VALID = (
    "91110000600037341L",
    "91330782MA2EC6R8XW",
    "91440300MA5FQ2N7KE",
    "92440101MA9Y3K5P2J",
    "93350581MA32D7Q1BP",
    "91310115677834021L",
    "521100005000123453",
    "12100000400010398P",
    "91440606MA4WJ8L90Q",
)


def test_the_weights_are_the_published_ones() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code: str) -> None:
    check = check_uscc(code)

    assert check.valid
    assert check.problem is None
    assert check.normalized == code
    assert check.region_code == code[2:8]


@pytest.mark.parametrize(
    ("code", "authority", "entity"),
    [
        ("91330782MA2EC6R8XW", "industry_commerce", "enterprise"),
        ("92440101MA9Y3K5P2J", "industry_commerce", "individual_business"),
        ("93350581MA32D7Q1BP", "industry_commerce", "farmers_cooperative"),
        ("521100005000123453", "civil_affairs", None),
        ("12100000400010398P", "staffing", None),
    ],
)
def test_valid_codes_are_decoded(code: str, authority: str, entity: str | None) -> None:
    check = check_uscc(code)

    assert check.registration_authority == authority
    assert check.entity_type == entity


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037314L",  # two digits swapped (the research's example)
        "91110000600037341K",  # last character changed
        "91330782MA2EC6R8XE",
        "91330782MA2EC6R9XW",  # one character of the body changed
        "91440300MA5FQ2N7K0",
    ],
)
def test_wrong_check_characters_are_caught(code: str) -> None:
    check = check_uscc(code)

    assert not check.valid
    assert check.problem == "check_digit"
    assert check.registration_authority is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("91110000600037341", "length"),
        ("91110000600037341LL", "length"),
        ("330782600037341", "length"),  # an old 15-digit 注册号
        ("91110000600O37341L", "characters"),  # letter O for zero
        ("91110000600037341I", "characters"),
        ("9111000060003734SL", "characters"),
        ("91110000600037341Z", "characters"),
        ("9111000060003734VL", "characters"),
        ("91AB0000600037341L", "characters"),  # the region code must be digits
        ("统一社会信用代码", "characters"),
    ],
)
def test_malformed_codes_say_what_is_wrong(text: str, problem: str) -> None:
    check = check_uscc(text)

    assert not check.valid
    assert check.problem == problem
    assert check.problem in PROBLEMS


@pytest.mark.parametrize(
    "text",
    [
        "91110000600037341l",  # lower case
        "９１１１００００６０００３７３４１Ｌ",  # full-width
        " 9111 0000 6000 3734 1L ",  # grouped with spaces
        "911100006000-37341L",
        "9111\u30000000600037341L",  # ideographic space
    ],
)
def test_codes_are_normalised_before_checking(text: str) -> None:
    check = check_uscc(text)

    assert check.valid
    assert check.normalized == "91110000600037341L"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("统一社会信用代码：91330782MA2EC6R8XW 法定代表人：张伟", "91330782MA2EC6R8XW"),
        ("our licence no. is 91440300ma5fq2n7ke, thanks", "91440300MA5FQ2N7KE"),
        ("信用代码 ９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
        ("USCC: 9111 0000 6000 3734 1L Legal representative: Wang", "91110000600037341L"),
        # A labelled code is returned even when it fails, so the check can say why.
        ("统一社会信用代码:91110000600037314L", "91110000600037314L"),
        # Unlabelled, the valid one wins over an order number of the same length.
        ("order 202405061234567890 from 91330782MA2EC6R8XW", "91330782MA2EC6R8XW"),
    ],
)
def test_codes_are_found_in_free_text(text: str, found: str) -> None:
    assert find_uscc(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "no code here",
        "order 202405061234567890",  # 18 digits that fail the check, no label
        "91110000600037341LX",  # 19 characters is no code
        "",
    ],
)
def test_nothing_is_found_where_there_is_no_code(text: str) -> None:
    assert find_uscc(text) is None


@given(st.text(max_size=300))
def test_checking_and_finding_never_raise(text: str) -> None:
    check = check_uscc(text)
    found = find_uscc(text)

    assert check.valid == (check.problem is None)
    assert found is None or len(found) == 18
