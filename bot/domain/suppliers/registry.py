"""The Chinese Unified Social Credit Code (统一社会信用代码, USCC) on a business licence.

Format and check character follow GB 32100-2015: 18 characters from a 31-symbol alphabet
(digits and capitals without I, O, S, V, Z), a 6-digit region code in positions 3-8 and a
check character computed from the first 17. A code that passes says nothing about whether
the company exists: that needs a search on www.gsxt.gov.cn.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i is 3**i mod 31 (1, 3, 9, 27, 19, 26, …).
WEIGHTS = tuple(pow(3, position, 31) for position in range(17))
LENGTH = 18
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}

# Position 1: who registered the entity. Suppliers on 1688 are registered with market
# regulation (9, formerly 工商); the other authorities register institutions, associations…
REGISTRATION_AUTHORITIES = {
    "1": "staffing",  # 机构编制: government bodies and public institutions
    "5": "civil_affairs",  # 民政: associations, foundations, private non-enterprises
    "9": "industry_commerce",  # 工商 / 市场监管: companies and individual businesses
    "Y": "other",
}
# Position 2 under authority 9. Other authorities have their own lists, which a buyer
# checking a supplier does not need.
ENTITY_TYPES = {
    "1": "enterprise",  # 企业
    "2": "individual_business",  # 个体工商户
    "3": "farmers_cooperative",  # 农民专业合作社
}

PROBLEMS = ("empty", "characters", "length", "check_digit")

# Separators people type or paste inside a code: spaces of every width, dashes, dots.
_SEPARATORS = re.compile(r"[\s\-_.·•]+")


@dataclass(frozen=True)
class UsccCheck:
    valid: bool
    normalized: str
    problem: str | None
    registration_authority: str | None = None
    entity_type: str | None = None
    region_code: str | None = None


def normalize_uscc(text: str) -> str:
    """Half-width, upper case, without spaces or separators."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text[:200])).upper()


def check_character(first_17: str) -> str:
    """The 18th character for the first 17 (all from ALPHABET)."""
    total = sum(_VALUE[symbol] * weight for symbol, weight in zip(first_17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_uscc(text: str) -> UsccCheck:
    code = normalize_uscc(text)
    problem = _problem(code)
    if problem is not None:
        return UsccCheck(valid=False, normalized=code, problem=problem)
    authority = REGISTRATION_AUTHORITIES.get(code[0])
    entity = ENTITY_TYPES.get(code[1]) if authority == "industry_commerce" else None
    # An unusual first or second character is kept valid: the standard allows more
    # authorities than the table lists, and the check character already passed.
    return UsccCheck(
        valid=True,
        normalized=code,
        problem=None,
        registration_authority=authority,
        entity_type=entity,
        region_code=code[2:8],
    )


def _problem(code: str) -> str | None:
    if not code:
        return "empty"
    if any(symbol not in _VALUE for symbol in code):
        return "characters"
    if len(code) != LENGTH:
        return "length"
    if not code[2:8].isdigit():  # the region code is always six digits
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check_digit"
    return None


# Any 18 letters and digits standing alone: checked afterwards, so that a code with a
# wrong check character can still be found and reported.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
# A labelled code may be written in groups ("9133 0782 MA2…").
_LABELLED = re.compile(
    r"(?:统一社会信用代码|社会信用代码|信用代码|统一代码|纳税人识别号|税号|"
    r"(?<![a-z])(?:uscc|unified\s+social\s+credit\s+code|social\s+credit\s+code|credit\s+code|"
    r"tax\s+id))"
    r"\s*(?:\(\w{0,6}\))?\s*[:=]?\s*"
    r"(?P<code>[0-9A-Za-z](?:[ \-]?[0-9A-Za-z]){17})(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def find_uscc(text: str) -> str | None:
    """The USCC in free text, normalised: a valid one first, else a labelled one.

    An unlabelled 18-character run that fails the check is not returned: it is more likely
    an order or account number than a mistyped code.
    """
    text = unicodedata.normalize("NFKC", text[:20_000])
    for candidate in _CANDIDATE.finditer(text):
        if check_uscc(candidate.group()).valid:
            return candidate.group().upper()
    for labelled in _LABELLED.finditer(text):
        return normalize_uscc(labelled.group("code"))
    return None
