"""What a Telegram client would turn into a tappable entity by itself, outside code spans.

A generous model of Telegram's (tdlib's) automatic entities, for checking that model text
is inert: anything that could be a URL (host labels of any script: IDN, punycode, mixed
Cyrillic/Latin look-alikes; a dot or an ideographic full stop), an e-mail address, a
@mention or a /command. Telegram finds none of these inside `code` or `pre` entities, so a
span covered by one is inert. Being generous (it flags more than Telegram would) makes a
test using it stricter, never weaker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_LIVE = re.compile(
    r"[a-z][a-z0-9+.-]*:(?://)?[^\s]+"  # any scheme
    r"|(?:[\w.+-]+@)?(?:[^\W_][\w-]*[.。．｡])+(?:xn--[\w-]+|[^\W\d_][\w-]+)"  # host / e-mail
    r"|(?<![\w@])@\w{2,}"  # mention
    r"|(?<![\w/<>])/[a-z0-9_]+",  # bot command
    re.IGNORECASE,
)
_INERT = frozenset({"code", "pre"})


def live_spans(text: str, entities: Sequence[Mapping[str, Any]]) -> list[str]:
    """The spans of `text` Telegram could make tappable: not inside a code or pre entity.
    Entity offsets and lengths count UTF-16 code units, as Telegram's do."""
    covered = [
        (_index(text, entity["offset"]), _index(text, entity["offset"] + entity["length"]))
        for entity in entities
        if entity["type"] in _INERT
    ]
    spans = []
    for match in _LIVE.finditer(text):
        # Telegram leaves a sentence's punctuation after an address out of the link.
        span = match.group(0).rstrip(".,;:!?")
        end_of_span = match.start() + len(span)
        if not any(start <= match.start() and end_of_span <= end for start, end in covered):
            spans.append(span)
    return spans


def _index(text: str, units: int) -> int:
    """The index in `text` of the character `units` UTF-16 code units in."""
    seen = 0
    for index, character in enumerate(text):
        if seen >= units:
            return index
        seen += 2 if ord(character) > 0xFFFF else 1
    return len(text)
