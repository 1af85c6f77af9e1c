"""Literal anchors of a regular expression: strings of which every match contains one.

`re` tries every alternative of a pattern at every position, which makes a table of a few
hundred alternatives slow on Chinese text. Checking first, with C-speed `in`, whether any
of an alternative's anchors occurs in the (lower-cased) text lets the checker skip most
alternatives without changing a single result.

The anchors are read from the standard library's own regex parser. It is private, so if
it is missing or behaves unexpectedly the answer is None ("no anchors: always run"), which
is slower but never wrong.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

try:
    _PARSER: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python versions without re._parser
    _PARSER = None

Anchors = frozenset[str]

# Characters so frequent in Chinese text, or in any talk about paying, that alone they
# make poor anchors.
_COMMON_HAN = frozenset(
    "的一是不了人我在有他这中大来上个们到说和你地出道也时年就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本"
    "见经头面公同三已老从动两长把给您请加付款转账打户卡钱支宝平台单订货价收号码银司"
)
# Zero-width checks do not consume text, so literals on both sides of one are adjacent.
_ZERO_WIDTH = frozenset({"ASSERT", "ASSERT_NOT", "AT"})
# Anchors are cut to this many Latin characters: "pay" covers "payment" and "paypal", and
# fewer distinct anchors means fewer searches per message.
_LATIN_ANCHOR_LENGTH = 4

_GROUPS = frozenset({"SUBPATTERN", "ATOMIC_GROUP"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
# A character class is only a useful anchor when it lists a few characters.
_MAX_CLASS_LITERALS = 4


def anchors(pattern: str, flags: int = 0) -> Anchors | None:
    """Lower-case strings one of which occurs in every match of `pattern`; None if unknown."""
    if _PARSER is None:
        return None
    try:
        tree = _PARSER.parse(pattern, flags)
        found = _sequence(list(tree))
    except Exception:  # a private parser may change shape; fall back to "always run"
        return None
    if not found or any(not anchor for anchor in found):
        return None
    return frozenset(anchor.lower() for anchor in found)


def _sequence(items: list[tuple[Any, Any]]) -> Anchors | None:
    """The best anchor set among the required parts of a sequence."""
    candidates: list[Anchors] = []
    literal_run = ""
    for op, value in items:
        if str(op) == "LITERAL":
            literal_run += chr(value)
            continue
        if str(op) in _ZERO_WIDTH:
            continue
        if literal_run:
            candidates.append(frozenset({_shorten(literal_run)}))
            literal_run = ""
        part = _item(str(op), value)
        if part is not None:
            candidates.append(part)
    if literal_run:
        candidates.append(frozenset({_shorten(literal_run)}))
    return min(candidates, key=_cost, default=None)


def _alphabetic(char: str) -> bool:
    """Latin or Cyrillic (or ASCII): letters that only mean something a few together."""
    return ord(char) <= 127 or "\u0400" <= char <= "\u04ff"


def _shorten(literal: str) -> str:
    """A cheaper anchor the literal implies: one uncommon Chinese character, else two
    common ones side by side, or a short Latin or Cyrillic prefix. Any text containing
    the literal contains this too."""
    uncommon = [char for char in literal if not _alphabetic(char) and char not in _COMMON_HAN]
    if uncommon:
        return uncommon[0]
    if not all(_alphabetic(char) for char in literal):
        return literal[:2]
    return literal[:_LATIN_ANCHOR_LENGTH]


def _item(op: str, value: Any) -> Anchors | None:
    if op in _GROUPS:
        return _sequence(list(value[-1]))
    if op in _REPEATS:
        low, _high, body = value
        return _sequence(list(body)) if low >= 1 else None
    if op == "BRANCH":
        return _branch(value[1])
    if op == "IN":
        return _class(value)
    return None  # assertions, categories, "any character": nothing literal to require


def _branch(alternatives: list[Any]) -> Anchors | None:
    union: set[str] = set()
    for alternative in alternatives:
        part = _sequence(list(alternative))
        if part is None:
            return None
        union |= part
    return frozenset(union)


def _class(items: list[tuple[Any, Any]]) -> Anchors | None:
    if len(items) > _MAX_CLASS_LITERALS or any(str(op) != "LITERAL" for op, _ in items):
        return None
    return frozenset(_shorten(chr(value)) for _, value in items)


def _cost(candidates: Anchors) -> float:
    """How often one of these strings occurs by chance: short and Latin is common."""
    return sum(float(4.0 ** -_weight(text)) for text in candidates)


def _weight(text: str) -> float:
    # An uncommon Chinese character is about as selective as two or three Latin letters.
    return sum(_character_weight(char) for char in text)


def _character_weight(char: str) -> float:
    if _alphabetic(char):
        # A lone Latin letter or digit is in almost every English message.
        return 1.0 if char.isalnum() else 1.5
    return 1.2 if char in _COMMON_HAN else 2.5


class AnchorIndex:
    """Which of a list of patterns can match a text, judged by their anchors alone.

    One-character anchors (most Chinese ones) are looked up in the text's set of
    characters; longer ones are searched for only when their first character occurs.
    The answer is a bit mask over the patterns' positions in the list.
    """

    def __init__(self, anchor_sets: Sequence[Anchors | None]) -> None:
        self._always = 0
        self._by_character: dict[str, int] = {}
        self._by_first_character: dict[str, dict[str, int]] = {}
        for number, anchor_set in enumerate(anchor_sets):
            bit = 1 << number
            if anchor_set is None:
                self._always |= bit
                continue
            for anchor in anchor_set:
                if len(anchor) == 1:
                    self._by_character[anchor] = self._by_character.get(anchor, 0) | bit
                else:
                    same_start = self._by_first_character.setdefault(anchor[0], {})
                    same_start[anchor] = same_start.get(anchor, 0) | bit

    def candidates(self, lowered: str) -> int:
        """Bit mask of the patterns whose anchors occur in the lower-cased text."""
        characters = set(lowered)
        awake = self._always
        for character in characters & self._by_character.keys():
            awake |= self._by_character[character]
        for character in characters & self._by_first_character.keys():
            for anchor, numbers in self._by_first_character[character].items():
                # Searching is the costly part; skip it when nothing new would wake.
                if numbers & ~awake and anchor in lowered:
                    awake |= numbers
        return awake
