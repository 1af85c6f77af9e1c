"""Characters a chat does not show but a reader (a model, a regex) does."""

from __future__ import annotations

import re

# Unicode tag characters, variation selectors, zero-width characters and bidi controls
# (with the Arabic letter mark), invisible joiners and fillers (combining grapheme joiner,
# Mongolian vowel separator, Hangul fillers, interlinear annotation marks): invisible in a
# chat, read by a model or a regex, the usual carriers of hidden instructions and of words
# split so that a keyword check misses them.
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\U000e0100-\U000e01ef\ufe00-\ufe0f\u200b-\u200f"
    "\u2060-\u2064\u202a-\u202e\u2066-\u2069\ufeff\u00ad\u061c\u180e\u034f"
    "\u115f\u1160\u3164\uffa0\ufff9-\ufffb]"
)


def strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)
