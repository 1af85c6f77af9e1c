"""Telegram's parse_mode parsers and text clean-up, checked against TDLib's behaviour."""

from __future__ import annotations

import html
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.html_parser import (
    Entity,
    EntityParseError,
    FormattingError,
    Kind,
    LinkError,
    check_link,
    fix_formatted_text,
    get_link_user_id,
    parse_html,
    parse_html_entities,
    parse_markdown_entities,
    parse_markdown_v2_entities,
    utf16_length,
)


def bold(offset: int, length: int) -> dict[str, Any]:
    return {"offset": offset, "length": length, "type": "bold"}


def kinds(entities: list[Entity]) -> list[tuple[str, int, int]]:
    return [(str(e.kind), e.offset, e.length) for e in entities]


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("Hello world <br>", 'Unsupported start tag "br" at byte offset 12'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<BR>", 'Unsupported start tag "br" at byte offset 0'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ('<a ="x">t</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=x:y>t</a>", "Unexpected end of name token at byte offset 8"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            '<span class="bold">x</span>',
            'Tag "span" must have class "tg-spoiler" at byte offset 0',
        ),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</b x>", "Unclosed end tag at byte offset 4"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ('<tg-emoji emoji-id="abc">👍</tg-emoji>', "Invalid custom emoji identifier specified"),
        ('<tg-emoji emoji-id="0">👍</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("<<b>", 'Unsupported start tag "<b" at byte offset 0'),
    ],
)
def test_html_errors_match_tdlib(text: str, detail: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(text)
    assert caught.value.detail == detail


def test_error_offsets_count_utf8_bytes() -> None:
    # "Привет " is 13 bytes in UTF-8 but 7 characters.
    with pytest.raises(EntityParseError, match=r"byte offset 13$"):
        parse_html("Привет <br>")
    with pytest.raises(EntityParseError, match=r"byte offset 5$"):
        parse_html("😀 <x>")


def test_lone_surrogate_entity_is_refused() -> None:
    with pytest.raises(EntityParseError, match="unmatched surrogate"):
        parse_html("&#xD83D;")


# --- text and entity decoding ---------------------------------------------------------


def test_plain_text_is_unchanged() -> None:
    assert parse_html("hello world") == ("hello world", [])


def test_entities_and_literals() -> None:
    text = "1 &lt; 2 &gt; 0 &amp; &quot;q&quot; &#39;s&#x27; &#128512; &nbsp; a > b & c"
    assert parse_html(text) == ("1 < 2 > 0 & \"q\" 's' 😀 &nbsp; a > b & c", [])


def test_named_entity_without_semicolon_is_decoded() -> None:
    assert parse_html("a &lt b &ltx") == ("a < b &ltx", [])


def test_numeric_entity_limits() -> None:
    # 0 and U+10FFFF and overlong references stay literal, like TDLib.
    assert parse_html("&#0; &#x10FFFF; &#0000000065;") == ("&#0; &#x10FFFF; &#0000000065;", [])


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("b", "bold"),
        ("strong", "bold"),
        ("i", "italic"),
        ("em", "italic"),
        ("u", "underline"),
        ("ins", "underline"),
        ("s", "strikethrough"),
        ("strike", "strikethrough"),
        ("del", "strikethrough"),
        ("tg-spoiler", "spoiler"),
        ("code", "code"),
        ("pre", "pre"),
        ("blockquote", "blockquote"),
    ],
)
def test_simple_tags(tag: str, kind: str) -> None:
    assert parse_html(f"x <{tag}>yz</{tag}>") == (
        "x yz",
        [{"offset": 2, "length": 2, "type": kind}],
    )


def test_tag_names_are_case_insensitive_and_short_end_tag_closes() -> None:
    assert parse_html("<B>x</b> <I>y</>") == (
        "x y",
        [bold(0, 1), {"offset": 2, "length": 1, "type": "italic"}],
    )


def test_spoiler_span_and_expandable_blockquote() -> None:
    assert parse_html('<span class="tg-spoiler">s</span>') == (
        "s",
        [{"offset": 0, "length": 1, "type": "spoiler"}],
    )
    assert parse_html("<blockquote expandable>q</blockquote>") == (
        "q",
        [{"offset": 0, "length": 1, "type": "expandable_blockquote"}],
    )


def test_pre_with_language() -> None:
    text = '<pre><code class="language-python">x = 1</code></pre>'
    assert parse_html(text) == (
        "x = 1",
        [{"offset": 0, "length": 5, "type": "pre", "language": "python"}],
    )
    # A language on a lone <code> is dropped.
    assert parse_html('<code class="language-go">y</code>') == (
        "y",
        [{"offset": 0, "length": 1, "type": "code"}],
    )


def test_links() -> None:
    assert parse_html('<a href="https://Example.com">x</a>') == (
        "x",
        [{"offset": 0, "length": 1, "type": "text_link", "url": "https://example.com/"}],
    )
    assert parse_html("<a href=example.com>x</a>")[1][0]["url"] == "http://example.com/"
    # Without href the text itself is the URL.
    assert parse_html("<a>t.me/x</a>")[1][0]["url"] == "http://t.me/x"


def test_invalid_link_is_silently_dropped() -> None:
    assert parse_html('<a href="foo">x</a>') == ("x", [])
    assert parse_html('<a href="ftp://example.com">x</a>') == ("x", [])
    assert parse_html('<a HREF="https://example.com">x</a>') == ("x", [])  # names: case-sensitive


def test_user_link_becomes_text_mention() -> None:
    text, entities = parse_html('<a href="tg://user?id=123456">Ann</a>')
    assert text == "Ann"
    assert entities == [
        {
            "offset": 0,
            "length": 3,
            "type": "text_mention",
            "user": {"id": 123456, "is_bot": False, "first_name": ""},
        }
    ]


def test_unknown_attributes_and_unquoted_values() -> None:
    assert parse_html('<b class="x" data-y=1>z</b>') == ("z", [bold(0, 1)])
    assert parse_html("<blockquote expandable=yes>q</blockquote>")[1][0]["type"] == (
        "expandable_blockquote"
    )


def test_unquoted_values_are_lower_cased_name_tokens() -> None:
    assert parse_html("<span class=TG-SPOILER>x</span>") == (
        "x",
        [{"offset": 0, "length": 1, "type": "spoiler"}],
    )
    assert parse_html("<pre><code class=language-PY>x</code></pre>")[1][0]["language"] == "py"
    assert parse_html('<pre><code class="language-PY">x</code></pre>')[1][0]["language"] == "PY"


def test_custom_emoji() -> None:
    text = '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    assert parse_html(text) == (
        "👍",
        [
            {
                "offset": 0,
                "length": 2,
                "type": "custom_emoji",
                "custom_emoji_id": "5368324170671202286",
            }
        ],
    )


def test_date_time() -> None:
    text, entities = parse_html('<tg-time unix="1700000000" format="wDT">soon</tg-time>')
    assert text == "soon"
    assert entities == [
        {
            "offset": 0,
            "length": 4,
            "type": "date_time",
            "unix_time": 1700000000,
            "date_time_format": "wDT",
        }
    ]


def test_offsets_are_utf16_units() -> None:
    assert parse_html("😀<b>é😀</b>") == ("😀é😀", [bold(2, 3)])


def test_empty_tags_make_no_entity() -> None:
    assert parse_html("a<b></b>b") == ("ab", [])


# --- clean-up and nesting -------------------------------------------------------------


def test_trims_spaces_and_newlines_around_the_text() -> None:
    assert parse_html("\n  <b>hi</b> there \n\n") == ("hi there", [bold(0, 2)])


def test_leading_whitespace_inside_an_entity_is_kept() -> None:
    # TDLib trims on the left only up to the first entity.
    assert parse_html("  <b> hi </b>  ") == (" hi", [bold(0, 3)])


def test_whitespace_only_result_is_empty() -> None:
    assert parse_html("<b> </b>") == ("", [])


def test_control_characters_are_cleaned() -> None:
    assert parse_html("a\tb\r\nc\x01d") == ("a b\nc d", [])


def test_adjacent_same_entities_merge() -> None:
    assert parse_html("<b>a</b><b>b</b>") == ("ab", [bold(0, 2)])


def test_bold_is_split_around_code() -> None:
    assert parse_html("<b>a<code>b</code>c</b>") == (
        "abc",
        [bold(0, 1), {"offset": 1, "length": 1, "type": "code"}, bold(2, 1)],
    )


def test_nested_styles_are_resplit() -> None:
    assert parse_html("<b>x <i>y</i></b>") == (
        "x y",
        [bold(0, 2), bold(2, 1), {"offset": 2, "length": 1, "type": "italic"}],
    )


def test_sort_order_is_offset_then_longer_first() -> None:
    _, entities = parse_html("<u><b>ab</b>c</u>")
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("underline", 0, 3),
        ("bold", 0, 2),
    ]


def test_fix_formatted_text_rejects_out_of_range_entities() -> None:
    with pytest.raises(FormattingError, match="ends after the end of the text"):
        fix_formatted_text("ab", [Entity(Kind.BOLD, 1, 5)], allow_empty=False)
    with pytest.raises(FormattingError, match="middle of a UTF-16 symbol"):
        fix_formatted_text("😀", [Entity(Kind.BOLD, 1, 1)], allow_empty=False)


def test_fix_formatted_text_empty_text() -> None:
    with pytest.raises(FormattingError, match=r"^Text must be non-empty$"):
        fix_formatted_text(" \n ", [], allow_empty=False)
    assert fix_formatted_text(" \n ", [], allow_empty=True) == ("", [])


def test_removed_characters_shift_entities() -> None:
    text, entities = fix_formatted_text("a\r\nb", [Entity(Kind.BOLD, 3, 1)], allow_empty=False)
    assert text == "a\nb"
    assert kinds(entities) == [("bold", 2, 1)]


# --- links ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://example.com", "https://example.com/"),
        ("HTTP://Example.COM/Path?q=1", "http://example.com/Path?q=1"),
        ("example.com:8080/a b", "http://example.com:8080/a%20b"),
        ("tg://resolve?domain=x", "tg://resolve?domain=x"),
        ("http://[::1]/", "http://[::1]/"),
    ],
)
def test_check_link_normalises(url: str, normalised: str) -> None:
    assert check_link(url) == normalised


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("foo", "Wrong HTTP URL"),
        ("ftp://x.com", "Unsupported URL protocol"),
        ("http://x.com:99999", "Wrong port number specified in the URL"),
        ("http://", "URL host is empty"),
        ("http://a b.com", "Wrong URL host"),
    ],
)
def test_check_link_rejects(url: str, reason: str) -> None:
    with pytest.raises(LinkError, match=f"^{reason}$"):
        check_link(url)


def test_user_links() -> None:
    assert get_link_user_id("tg://user?id=42") == 42
    assert get_link_user_id("TG:user?id=42#x") == 42
    assert get_link_user_id("tg://user?id=0") == 0
    assert get_link_user_id("tg://user?id=abc") == 0
    assert get_link_user_id("https://t.me/user?id=42") == 0


# --- MarkdownV2 and Markdown ----------------------------------------------------------


def test_markdown_v2_entities() -> None:
    text, entities = parse_markdown_v2_entities("*b* _i_ __u__ ~s~ ||p|| `c` [l](https://x.com)")
    assert text == "b i u s p c l"
    assert kinds(entities) == [
        ("bold", 0, 1),
        ("italic", 2, 1),
        ("underline", 4, 1),
        ("strikethrough", 6, 1),
        ("spoiler", 8, 1),
        ("code", 10, 1),
        ("text_link", 12, 1),
    ]


def test_markdown_v2_pre_and_blockquote() -> None:
    text, entities = parse_markdown_v2_entities("```python\nx\n```")
    assert (text, kinds(entities)) == ("x\n", [("pre_code", 0, 2)])
    assert entities[0].argument == "python"
    text, entities = parse_markdown_v2_entities(">a\n>b\nc")
    assert (text, kinds(entities)) == ("a\nb\nc", [("blockquote", 0, 4)])


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("a.b", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("1-2", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("*bold", "Can't find end of Bold entity at byte offset 0"),
        ("x _it", "Can't find end of Italic entity at byte offset 2"),
        ("[a](http://x.com", "Can't find end of a URL at byte offset 4"),
    ],
)
def test_markdown_v2_errors(text: str, detail: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_markdown_v2_entities(text)
    assert caught.value.detail == detail


def test_markdown_v2_escapes() -> None:
    assert parse_markdown_v2_entities(r"a\.b \*c\*") == ("a.b *c*", [])


def test_legacy_markdown() -> None:
    text, entities = parse_markdown_entities("*b* _i_ `c` [l](http://x.com) a.b")
    assert text == "b i c l a.b"
    assert kinds(entities) == [
        ("bold", 0, 1),
        ("italic", 2, 1),
        ("code", 4, 1),
        ("text_link", 6, 1),
    ]
    with pytest.raises(EntityParseError, match=r"^Can't find end of the entity starting at byte"):
        parse_markdown_entities("x *y")


# --- properties -----------------------------------------------------------------------

# Characters TDLib rewrites or drops; excluded so that escaping round-trips exactly.
_REWRITTEN = "\r\t\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a\u200e\u200f"
plain_texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=_REWRITTEN)
    | st.sampled_from(" \n<>&\"'"),
    max_size=200,
)


@given(plain_texts)
@settings(max_examples=300)
def test_escaped_text_parses_back_to_itself_trimmed(text: str) -> None:
    assert parse_html(html.escape(text)) == (text.strip(" \n"), [])


@given(plain_texts, plain_texts)
@settings(max_examples=200)
def test_bold_wrapper_covers_exactly_the_inner_text(before: str, inner: str) -> None:
    parsed, entities = parse_html_entities(f"{html.escape(before)}<b>{html.escape(inner)}</b>")
    assert parsed == before + inner
    if inner:
        assert kinds(entities) == [("bold", utf16_length(before), utf16_length(inner))]
    else:
        assert entities == []


markup_soup = st.lists(
    st.sampled_from(
        [
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<code>",
            "</code>",
            "<pre>",
            "</pre>",
            "</>",
            "a",
            " ",
            "😀",
            "\n",
            "&amp;",
            "<a href='https://x.com'>",
            "</a>",
            "<blockquote>",
            "</blockquote>",
            "<u>",
            "</u>",
            "<tg-spoiler>",
            "</tg-spoiler>",
        ]
    ),
    max_size=30,
).map("".join)


@given(markup_soup)
@settings(max_examples=400)
def test_any_markup_either_fails_cleanly_or_gives_entities_inside_the_text(markup: str) -> None:
    try:
        text, entities = parse_html(markup)
    except EntityParseError:
        return
    size = utf16_length(text)
    keys = [(e["offset"], -e["length"]) for e in entities]
    assert keys == sorted(keys)
    for entity in entities:
        assert entity["length"] > 0
        assert entity["offset"] >= 0
        assert entity["offset"] + entity["length"] <= size
