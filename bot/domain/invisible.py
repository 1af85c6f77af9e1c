"""Characters a chat does not show but a reader (a model, a regex) does."""

from __future__ import annotations

import re

# Unicode tag characters, variation selectors, zero-width characters and bidi controls:
# invisible in a chat, read by a model, the usual carriers of hidden instructions.
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\ufe00-\ufe0f\u200b-\u200f\u2060-\u2064\u202a-\u202e"
    "\u2066-\u2069\ufeff\u00ad]"
)


def strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)
