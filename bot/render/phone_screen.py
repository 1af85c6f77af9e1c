"""How many lines of a phone screen a message takes: the measure behind the one-screen rule.

A buyer reads the bot on a phone, often standing in a market. We count a phone line as 38
columns, as a mid-size phone shows Telegram's default font; East Asian wide characters
(Chinese, most emoji) take two columns, as they do on screen. Lines wrap at spaces like
Telegram's text layout, and anywhere between two Chinese characters. An expandable
blockquote shows its first three lines until tapped, and each row of inline buttons takes
one line. The first message of every answer must fit in `ONE_SCREEN` lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

COLUMNS = 38
ONE_SCREEN = 20
COLLAPSED_QUOTE_LINES = 3

# Zero-width characters Telegram draws as nothing.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\ufe0f", "\ufe0e"}


def columns(text: str) -> int:
    """Screen columns of one line of text: wide characters count two."""
    width = 0
    for char in text:
        if char in _INVISIBLE or unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _breakable_pieces(line: str) -> list[str]:
    """The line cut where a phone may wrap it: after spaces, and around wide characters."""
    pieces: list[str] = []
    current = ""
    for char in line:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        if wide:
            if current:
                pieces.append(current)
            pieces.append(char)
            current = ""
        else:
            current += char
            if char == " ":
                pieces.append(current)
                current = ""
    if current:
        pieces.append(current)
    return pieces


def wrapped_lines(line: str, width: int = COLUMNS) -> int:
    """Phone lines one text line (no newline in it) takes once wrapped."""
    lines, used = 1, 0
    for piece in _breakable_pieces(line):
        size = columns(piece)
        # A trailing space may hang past the edge, as in any text layout.
        visible = columns(piece.rstrip(" "))
        if used and used + visible > width:
            lines += 1
            used = 0
        while used + visible > width:  # a word longer than a line breaks inside
            lines += 1
            visible -= width
            size -= width
        used += size
    return lines


def text_lines(text: str) -> int:
    """Phone lines a block of text takes (an empty line still takes one)."""
    return sum(wrapped_lines(line) for line in text.split("\n")) if text else 0


@dataclass(frozen=True)
class Span:
    """A stretch of the message's text, by Python string index, drawn collapsed."""

    start: int
    end: int


def message_lines(text: str, button_rows: int, collapsed: Sequence[Span] = ()) -> int:
    """Phone lines of a whole message: its text, its collapsed quotes shown as their first
    three lines, and a line per row of buttons."""
    total, position = 0, 0
    for span in sorted(collapsed, key=lambda s: s.start):
        total += text_lines(text[position : span.start].strip("\n"))
        total += min(COLLAPSED_QUOTE_LINES, text_lines(text[span.start : span.end].strip("\n")))
        position = span.end
    total += text_lines(text[position:].strip("\n") if collapsed else text)
    return total + button_rows


def collapsed_spans(text: str, entities: Iterable[dict[str, object]]) -> list[Span]:
    """Expandable blockquotes among Telegram message entities (offsets in UTF-16 units),
    as spans of the Python string."""
    index_of_unit: dict[int, int] = {}
    unit = 0
    for index, char in enumerate(text):
        index_of_unit[unit] = index
        unit += 2 if ord(char) > 0xFFFF else 1
    index_of_unit[unit] = len(text)
    spans = []
    for entity in entities:
        if entity.get("type") != "expandable_blockquote":
            continue
        offset, length = int(str(entity["offset"])), int(str(entity["length"]))
        spans.append(Span(index_of_unit[offset], index_of_unit[offset + length]))
    return spans
