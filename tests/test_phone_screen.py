"""The phone-line measure counts what a phone shows."""

from __future__ import annotations

from bot.render.phone_screen import Span, collapsed_spans, columns, message_lines, text_lines


def test_chinese_characters_and_emoji_take_two_columns() -> None:
    assert columns("abc") == 3
    assert columns("延长收货") == 8
    assert columns("✅ ok") == 5


def test_a_short_line_is_one_line_and_an_empty_line_still_counts() -> None:
    assert text_lines("Hello") == 1
    assert text_lines("Hello\n\nthere") == 3


def test_english_wraps_at_spaces_not_mid_word() -> None:
    # 37 columns of words, then one more word: the word moves to a second line.
    line = "aaaa " * 7 + "bb " + "cccccc"
    assert columns(line) > 38
    assert text_lines(line) == 2
    assert text_lines("x" * 38) == 1
    assert text_lines("x" * 39) == 2


def test_chinese_wraps_between_any_two_characters() -> None:
    assert text_lines("货" * 19) == 1
    assert text_lines("货" * 20) == 2
    assert text_lines("货" * 57) == 3


def test_buttons_take_a_line_per_row_and_a_collapsed_quote_three() -> None:
    text = "Verdict\n" + "\n".join(f"detail {n}" for n in range(10))
    quote = Span(text.index("detail 0"), len(text))
    assert message_lines(text, button_rows=2) == 13
    assert message_lines(text, button_rows=2, collapsed=[quote]) == 1 + 3 + 2


def test_quote_offsets_are_read_in_utf16_units() -> None:
    text = "🙂 hi\nline one\nline two"
    start_units = len("🙂 hi\n") + 1  # the emoji is two UTF-16 units
    entity = {"type": "expandable_blockquote", "offset": start_units, "length": 17}
    (span,) = collapsed_spans(text, [entity])
    assert text[span.start : span.end] == "line one\nline two"
