"""Running the phrase rules over a message: which codes fire, and the words that fired them.

Rules match on the lower-cased text, and evidence is quoted from the same positions of the
original-case text. Only alternatives whose anchors occur in the message are tried at all
(see `regex_anchors`); the tests prove that shortcut never changes a result.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.payments.anchors import AnchorIndex
from bot.domain.payments.rules import ALTERNATIVES, PHRASE_RULES, Alternative, PhraseRule
from bot.domain.payments.text import evidence, is_disclaimed, is_negated, lower_in_place

Span = tuple[int, int]

_INDEX = AnchorIndex([alternative.anchors for alternative in ALTERNATIVES])
_EVERY_ALTERNATIVE = (1 << len(ALTERNATIVES)) - 1


def _rule_positions() -> tuple[tuple[PhraseRule, int, int], ...]:
    """Each rule with the position of its first alternative and a mask of all of them."""
    positions = []
    first = 0
    for rule in PHRASE_RULES:
        count = len(rule.alternatives)
        positions.append((rule, first, ((1 << count) - 1) << first))
        first += count
    return tuple(positions)


_RULES = _rule_positions()
# A fenced word glued to a Latin or Cyrillic letter, or a digit, is part of another word.
_LATIN_OR_DIGIT = frozenset(
    "abcdefghijklmnopqrstuvwxyz0123456789" + "".join(map(chr, range(ord("а"), ord("я") + 1)))
)


def phrase_signals(text: str, *, use_anchors: bool = True) -> dict[str, str]:
    """Signal code -> evidence for every phrase rule that fires on the normalised text."""
    lowered = lower_in_place(text)
    awake = _INDEX.candidates(lowered) if use_anchors else _EVERY_ALTERNATIVE
    found: dict[str, str] = {}
    for rule, first, mask in _RULES:
        if not awake & mask:
            continue
        candidates = [
            alternative
            for number, alternative in enumerate(rule.alternatives, start=first)
            if awake >> number & 1
        ]
        span = _first_match(rule, candidates, lowered)
        if span is not None:
            found[rule.code] = evidence(text, *span)
    return found


def _first_match(rule: PhraseRule, candidates: Iterable[Alternative], lowered: str) -> Span | None:
    """A span some candidate matches that is not negated. Any one will do: it is only
    quoted as evidence, and the rule fires either way."""
    for alternative in candidates:
        search = alternative.pattern.search
        position = 0
        while (match := search(lowered, position)) is not None:
            start, end = match.span()
            if end == start or (alternative.fenced and _glued(lowered, start)):
                position = start + 1
                continue
            position = end
            if rule.negatable and (is_negated(lowered, start) or is_disclaimed(lowered, end)):
                continue
            return start, end
    return None


def _glued(lowered: str, start: int) -> bool:
    """The match starts inside a word: "otherwise" is not "wise", "безналичный" not "наличный"."""
    return start > 0 and lowered[start - 1] in _LATIN_OR_DIGIT
