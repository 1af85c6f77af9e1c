"""Telegram's text formatting as the real server applies it: parse_mode parsers and clean-up.

Telegram's Bot API server hands `parse_mode` text to TDLib, which parses it into plain text
plus entities and then "fixes" the result before sending: control characters become
spaces, `\\r` disappears, bad nesting is repaired (bold is split around code, overlapping
links are dropped, ...), and leading/trailing spaces and newlines are trimmed. This module
re-implements that behaviour (read from TDLib's MessageEntity.cpp, not copied), so the
sandbox accepts, rejects and transforms text the way Telegram does:

- `parse_html(text)`: the HTML parse mode, then the clean-up; what Telegram would store.
- `parse_html_entities`, `parse_markdown_v2_entities`, `parse_markdown_entities`: the raw
  parsers, before clean-up (for `format_text` in validation.py).
- `fix_formatted_text`: the clean-up and trimming, also used for explicit `entities`.

Errors carry TDLib's exact wording: `EntityParseError` for markup errors (the server puts
"can't parse entities: " in front), `FormattingError` for the clean-up step.
Offsets in parse errors are UTF-8 byte offsets into the original text; entity offsets and
lengths are UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "Entity",
    "EntityParseError",
    "FormattingError",
    "Kind",
    "LinkError",
    "check_link",
    "entities_to_dicts",
    "fix_formatted_text",
    "get_checked_link",
    "get_link_user_id",
    "parse_html",
    "parse_html_entities",
    "parse_markdown_entities",
    "parse_markdown_v2_entities",
    "utf16_length",
]


class EntityParseError(ValueError):
    """Bad markup. `detail` is TDLib's message, e.g. 'Unsupported start tag "br" at byte
    offset 12'; the Bot API answers 400 "can't parse entities: <detail>"."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class FormattingError(ValueError):
    """The text or its entities cannot be sent, e.g. "Text must be non-empty"."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class LinkError(ValueError):
    """A URL TDLib would not accept; the message is TDLib's reason, e.g. "Wrong HTTP URL"."""


class Kind(StrEnum):
    """Entity types. The values are Bot API names, except PRE_CODE (a "pre" with a language),
    which TDLib keeps apart because it sorts differently."""

    MENTION = "mention"
    HASHTAG = "hashtag"
    CASHTAG = "cashtag"
    BOT_COMMAND = "bot_command"
    URL = "url"
    EMAIL = "email"
    PHONE_NUMBER = "phone_number"
    BOLD = "bold"
    ITALIC = "italic"
    UNDERLINE = "underline"
    STRIKETHROUGH = "strikethrough"
    SPOILER = "spoiler"
    BLOCKQUOTE = "blockquote"
    EXPANDABLE_BLOCKQUOTE = "expandable_blockquote"
    CODE = "code"
    PRE = "pre"
    PRE_CODE = "pre_code"
    TEXT_LINK = "text_link"
    TEXT_MENTION = "text_mention"
    CUSTOM_EMOJI = "custom_emoji"
    DATE_TIME = "date_time"


# TDLib sorts entities by offset, then longer first, then by this priority (lower first).
# DATE_TIME is newer than the TDLib source consulted; it is ranked like the other
# "continuous" entities (a guess).
_PRIORITY = {
    Kind.BLOCKQUOTE: 0,
    Kind.EXPANDABLE_BLOCKQUOTE: 0,
    Kind.PRE_CODE: 10,
    Kind.PRE: 11,
    Kind.CODE: 20,
    Kind.TEXT_LINK: 49,
    Kind.TEXT_MENTION: 49,
    Kind.BOLD: 90,
    Kind.ITALIC: 91,
    Kind.UNDERLINE: 92,
    Kind.STRIKETHROUGH: 93,
    Kind.SPOILER: 94,
    Kind.CUSTOM_EMOJI: 99,
}
_DEFAULT_PRIORITY = 50

# Kinds that may overlap freely and are split/merged as needed, in TDLib's flush order.
SPLITTABLE = (Kind.BOLD, Kind.ITALIC, Kind.UNDERLINE, Kind.STRIKETHROUGH, Kind.SPOILER)
BLOCKQUOTES = frozenset({Kind.BLOCKQUOTE, Kind.EXPANDABLE_BLOCKQUOTE})
PRE_KINDS = frozenset({Kind.CODE, Kind.PRE, Kind.PRE_CODE})
CONTINUOUS = frozenset(
    {
        Kind.MENTION,
        Kind.HASHTAG,
        Kind.CASHTAG,
        Kind.BOT_COMMAND,
        Kind.URL,
        Kind.EMAIL,
        Kind.PHONE_NUMBER,
        Kind.TEXT_LINK,
        Kind.TEXT_MENTION,
        Kind.CUSTOM_EMOJI,
        Kind.DATE_TIME,
    }
)
# Entities a bot may send; the others (mentions, URLs, ...) Telegram detects by itself.
USER_KINDS = frozenset(
    {
        *SPLITTABLE,
        *BLOCKQUOTES,
        *PRE_KINDS,
        Kind.TEXT_LINK,
        Kind.TEXT_MENTION,
        Kind.CUSTOM_EMOJI,
        Kind.DATE_TIME,
    }
)

# TDLib's names, used in MarkdownV2 errors ("Can't find end of Bold entity at byte offset 0").
_TDLIB_NAMES = {
    Kind.BOLD: "Bold",
    Kind.ITALIC: "Italic",
    Kind.UNDERLINE: "Underline",
    Kind.STRIKETHROUGH: "Strikethrough",
    Kind.SPOILER: "Spoiler",
    Kind.TEXT_LINK: "TextUrl",
    Kind.CODE: "Code",
    Kind.PRE: "Pre",
    Kind.PRE_CODE: "PreCode",
    Kind.CUSTOM_EMOJI: "CustomEmoji",
    Kind.BLOCKQUOTE: "BlockQuote",
    Kind.EXPANDABLE_BLOCKQUOTE: "ExpandableBlockQuote",
}

MAX_USER_ID = (1 << 40) - 1
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


@dataclass
class Entity:
    """A formatting entity in UTF-16 units. `argument` is the URL of a text link, the
    language of a pre, the custom emoji id or the date-time format, by kind."""

    kind: Kind
    offset: int
    length: int
    argument: str = ""
    user_id: int = 0
    unix_time: int = 0

    @property
    def end(self) -> int:
        return self.offset + self.length


def sort_key(entity: Entity) -> tuple[int, int, int]:
    return entity.offset, -entity.length, _PRIORITY.get(entity.kind, _DEFAULT_PRIORITY)


def utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


# ---------------------------------------------------------------------------------------
# Byte-level helpers. The parsers work on UTF-8 bytes, like TDLib, so that error offsets
# come out in bytes; reading past the end yields 0, like TDLib's NUL-terminated strings.
# ---------------------------------------------------------------------------------------

_SPACE_BYTES = frozenset(b" \t\r\n\x00\x0b")
_LT, _GT, _AMP, _SLASH, _EQ = ord("<"), ord(">"), ord("&"), ord("/"), ord("=")
_QUOTES = frozenset(b"\"'")
_MARKUP_START = re.compile(rb"[<&]")
_NAMED_ENTITIES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}


def _is_space(byte: int) -> bool:
    return byte in _SPACE_BYTES


def _is_alnum(byte: int) -> bool:
    return 48 <= byte <= 57 or 65 <= byte <= 90 or 97 <= byte <= 122


def _ascii_lower(data: bytes) -> bytes:
    # TDLib lowercases ASCII only; bytes.lower() does exactly that.
    return data.lower()


def _text(data: bytes | bytearray) -> str:
    return bytes(data).decode("utf-8", "surrogatepass")


def _bytes_utf16_units(data: bytes | bytearray) -> int:
    return utf16_length(_text(data))


def _encode_code_point(code: int) -> bytes:
    return chr(code).encode("utf-8", "surrogatepass")


class _Bytes:
    """UTF-8 input with TDLib-style reads: index past the end gives 0."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def at(self, index: int) -> int:
        return self.data[index] if index < self.size else 0


def _decode_html_entity(src: _Bytes, pos: int) -> tuple[int, int]:
    """Decode `&...;` at `pos`: (code point, position after it), or (0, pos) if this is not
    a supported entity. Named entities: only lt, gt, amp, quot. The `;` is optional."""
    end = pos + 1
    code = 0
    if src.at(pos + 1) == ord("#"):
        end += 1
        if src.at(pos + 2) == ord("x"):
            end += 1
            while chr(src.at(end)) in "0123456789abcdefABCDEF":
                code = code * 16 + int(chr(src.at(end)), 16)
                end += 1
        else:
            while 48 <= src.at(end) <= 57:
                code = code * 10 + src.at(end) - 48
                end += 1
        # TDLib rejects U+10FFFF itself too (>=), and anything written with 10+ characters.
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while chr(src.at(end)).isascii() and chr(src.at(end)).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(src.data[pos + 1 : end])
        if named is None:
            return 0, pos
        code = named
    return code, end + 1 if src.at(end) == ord(";") else end


def _to_integer_safe(text: str) -> int | None:
    """TDLib's to_integer_safe<int64>: the whole string must be a (signed) integer."""
    if not re.fullmatch(r"-?[0-9]+", text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


# ---------------------------------------------------------------------------------------
# Links (TDLib LinkManager / HttpUrl)
# ---------------------------------------------------------------------------------------


def get_link_user_id(url: str) -> int:
    """The user id of a `tg://user?id=<id>` link, or 0 if `url` is not a valid one."""
    rest = url.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")
    if not rest.startswith("tg:"):
        return 0
    rest = rest[3:]
    rest = rest.removeprefix("//")
    if not rest.startswith("user"):
        return 0
    rest = rest[4:].removeprefix("/")
    if not rest.startswith("?"):
        return 0
    for parameter in rest[1:].split("#", 1)[0].split("&"):
        key, _, value = parameter.partition("=")
        if key == "id":
            user_id = _to_integer_safe(value)
            return user_id if user_id is not None and 0 < user_id <= MAX_USER_ID else 0
    return 0


@dataclass(frozen=True)
class _HttpUrl:
    is_https: bool
    userinfo: str
    host: str
    is_ipv6: bool
    specified_port: int
    query: str

    def url(self) -> str:
        userinfo = f"{self.userinfo}@" if self.userinfo else ""
        port = f":{self.specified_port}" if self.specified_port > 0 else ""
        scheme = "https" if self.is_https else "http"
        return f"{scheme}://{userinfo}{self.host}{port}{self.query}"


_HOST_PUNCTUATION = frozenset(".-_!$,~*'();&+=")


def _split_port(userinfo_host_port: str) -> tuple[str, int]:
    colon = len(userinfo_host_port) - 1
    while colon > 0 and userinfo_host_port[colon] not in ":]@":
        colon -= 1
    if colon <= 0 or userinfo_host_port[colon] != ":":
        return userinfo_host_port, 0
    port_text = userinfo_host_port[colon + 1 :]
    while len(port_text) > 1 and port_text[0] == "0":
        port_text = port_text[1:]
    port = _to_integer_safe(port_text)
    if port is None or port <= 0 or port > 65535:
        raise LinkError("Wrong port number specified in the URL")
    return userinfo_host_port[:colon], port


def _check_host(host: str, is_ipv6: bool) -> None:
    if is_ipv6:
        return
    index = 0
    while index < len(host):
        char = host[index]
        if char == "%":
            digits = host[index + 1 : index + 3]
            if len(digits) != 2 or any(c not in "0123456789abcdef" for c in digits):
                raise LinkError("Wrong percent-encoded symbol in URL host")
            index += 3
            continue
        # Any non-ASCII character is allowed (plain UTF-8 host names).
        if char.isascii() and not (char.isalnum() or char in _HOST_PUNCTUATION):
            raise LinkError("Wrong URL host")
        index += 1


def _encode_query(query: str) -> str:
    query = query.rstrip(" \t\r\n\x00\x0b")
    if not query:
        return "/"
    encoded = "".join(f"%{ord(char):02X}" if ord(char) <= 0x20 else char for char in query)
    return encoded if encoded.startswith("/") else "/" + encoded


def _parse_url(url: str) -> _HttpUrl:
    """TDLib's parse_url: [http(s)://][userinfo@]host[:port][/query]; http by default."""
    scheme_end = next((i for i, char in enumerate(url) if char in ":/?#@[]"), len(url))
    rest_start = 0
    is_https = False
    if url.startswith("://", scheme_end):
        scheme = url[:scheme_end].lower()
        if scheme not in ("http", "https"):
            raise LinkError("Unsupported URL protocol")
        is_https = scheme == "https"
        rest_start = scheme_end + 3
    query_start = next(
        (i for i in range(rest_start, len(url)) if url[i] in "/?#"),
        len(url),
    )
    userinfo_host, port = _split_port(url[rest_start:query_start])
    userinfo, _, host = userinfo_host.rpartition("@")
    is_ipv6 = host.startswith("[") and host.endswith("]") and len(host) >= 2
    if is_ipv6:
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError as error:
            raise LinkError("Wrong IPv6 address specified in the URL") from error
    if not host:
        raise LinkError("URL host is empty")
    if host == ".":
        raise LinkError("Host is invalid")
    host = host.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")
    _check_host(host, is_ipv6)
    return _HttpUrl(is_https, userinfo, host, is_ipv6, port, _encode_query(url[query_start:]))


def _check_internal_link(link: str, scheme: str, parsed: _HttpUrl) -> str:
    if (
        link.lower().startswith("http://")
        or parsed.is_https
        or parsed.userinfo
        or parsed.specified_port
        or parsed.is_ipv6
    ):
        raise LinkError("Wrong tg URL" if scheme == "tg" else "Wrong ton URL")
    query = parsed.query
    if len(query) > 1 and query[1] == "?":
        query = query[1:]
    for char in parsed.host:
        allowed = char.isascii() and (char.isalnum() or char in "-_")
        if not allowed and not (scheme == "tonsite" and char == "."):
            raise LinkError("Unallowed characters in URL host")
    return f"{scheme}://{parsed.host}{query}"


def check_link(link: str) -> str:
    """The normalised form of a link TDLib accepts (http(s), tg, ton, tonsite), e.g.
    "Example.com" → "http://example.com/"; raises LinkError with TDLib's reason."""
    scheme = ""
    for prefix in ("tg", "ton", "tonsite"):
        if link[: len(prefix) + 1].lower() == prefix + ":":
            scheme = prefix
            link = link[len(prefix) + 1 :].removeprefix("//")
            break
    parsed = _parse_url(link)
    if scheme:
        return _check_internal_link(link, scheme, parsed)
    if "." not in parsed.host and not parsed.is_ipv6:
        raise LinkError("Wrong HTTP URL")
    return parsed.url()


def get_checked_link(link: str) -> str:
    """Like check_link, but "" instead of an error (HTML <a> with a bad URL is no link)."""
    try:
        return check_link(link)
    except LinkError:
        return ""


def get_link_custom_emoji_id(url: str) -> int:
    """The id of a `tg://emoji?id=<id>` link (MarkdownV2 custom emoji).

    TDLib's exact wording for a malformed URL was not available; these texts are guesses,
    except "Invalid custom emoji identifier specified"."""
    lowered = url.lower()
    if not lowered.startswith("tg:"):
        raise EntityParseError("Custom emoji URL must have scheme tg")
    rest = lowered[3:].removeprefix("//")
    if not rest.startswith("emoji"):
        raise EntityParseError('Custom emoji URL must have host "emoji"')
    rest = rest[5:].removeprefix("/")
    ids = [
        value
        for key, _, value in (p.partition("=") for p in rest.removeprefix("?").split("&"))
        if key == "id"
    ]
    if not rest.startswith("?") or not ids:
        raise EntityParseError("Custom emoji URL must have an emoji identifier")
    emoji_id = _to_integer_safe(ids[0])
    if not emoji_id:
        raise EntityParseError("Invalid custom emoji identifier specified")
    return emoji_id


def _link_entity(offset: int, length: int, url: str) -> Entity | None:
    """An <a>/[...](...) target: a user mention, a text link, or nothing for a bad URL."""
    user_id = get_link_user_id(url)
    if user_id:
        return Entity(Kind.TEXT_MENTION, offset, length, user_id=user_id)
    checked = get_checked_link(url)
    return Entity(Kind.TEXT_LINK, offset, length, checked) if checked else None


# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------

SUPPORTED_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAGS = {
    "b": Kind.BOLD,
    "strong": Kind.BOLD,
    "i": Kind.ITALIC,
    "em": Kind.ITALIC,
    "u": Kind.UNDERLINE,
    "ins": Kind.UNDERLINE,
    "s": Kind.STRIKETHROUGH,
    "strike": Kind.STRIKETHROUGH,
    "del": Kind.STRIKETHROUGH,
    "tg-spoiler": Kind.SPOILER,
    "span": Kind.SPOILER,
}
# TDLib has no published text for bad <tg-time> attributes in the source consulted; guesses.
_DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
INVALID_UNIX_TIME = "Invalid Unix time specified"
INVALID_DATE_TIME_FORMAT = "Invalid date time format specified"


@dataclass
class _OpenTag:
    name: str
    argument: bytes
    entity_offset: int
    output_position: int
    time_format: bytes = b""


@dataclass
class _HtmlParser:
    src: _Bytes
    output: bytearray = field(default_factory=bytearray)
    utf16_offset: int = 0
    entities: list[Entity] = field(default_factory=list)
    open_tags: list[_OpenTag] = field(default_factory=list)
    has_decoded_surrogate: bool = False

    def run(self) -> tuple[str, list[Entity]]:
        position = 0
        while position < self.src.size:
            byte = self.src.data[position]
            if byte == _LT:
                position = self._tag(position)
            elif byte == _AMP:
                position = self._ampersand(position)
            else:
                position = self._plain_text(position)
        if self.open_tags:
            name = self.open_tags[-1].name
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        for entity in self.entities:
            if entity.kind is Kind.CODE:
                entity.argument = ""  # a language counts only inside <pre>
        return self._decoded_output(), sorted(self.entities, key=sort_key)

    def _decoded_output(self) -> str:
        try:
            return bytes(self.output).decode("utf-8")
        except UnicodeDecodeError as error:
            if self.has_decoded_surrogate:
                raise EntityParseError(
                    "Text contains invalid Unicode characters after decoding HTML entities, "
                    "check for unmatched surrogate code units"
                ) from error
            raise FormattingError("Strings must be encoded in UTF-8") from error

    def _plain_text(self, position: int) -> int:
        # Copy a run up to the next markup character at once (only '<' and '&' matter).
        found = _MARKUP_START.search(self.src.data, position + 1)
        end = found.start() if found else self.src.size
        chunk = self.src.data[position:end]
        self.output += chunk
        self.utf16_offset += _bytes_utf16_units(chunk)
        return end

    def _ampersand(self, position: int) -> int:
        code, after = _decode_html_entity(self.src, position)
        if not code:
            return self._plain_text(position)
        if 0xD800 <= code <= 0xDFFF:
            self.has_decoded_surrogate = True
        self.output += _encode_code_point(code)
        self.utf16_offset += 2 if code > 0xFFFF else 1
        return after

    def _tag(self, begin: int) -> int:
        if self.src.at(begin + 1) == _SLASH:
            return self._end_tag(begin)
        return self._start_tag(begin)

    def _start_tag(self, begin: int) -> int:
        src = self.src
        i = begin + 1
        while not _is_space(src.at(i)) and src.at(i) != _GT:
            i += 1
        if src.at(i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        name = _text(_ascii_lower(src.data[begin + 1 : i]))
        if name not in SUPPORTED_HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        tag = _OpenTag(name, b"", self.utf16_offset, len(self.output))
        i = self._attributes(tag, begin, i)
        if name == "span" and tag.argument != b"spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        self.open_tags.append(tag)
        return i + 1

    def _attributes(self, tag: _OpenTag, begin: int, i: int) -> int:
        """Read attributes up to the closing '>' and return its position."""
        src = self.src
        while src.at(i) != _GT:
            while src.at(i) != 0 and _is_space(src.at(i)):
                i += 1
            if src.at(i) == _GT:
                break
            name_begin = i
            while not _is_space(src.at(i)) and src.at(i) not in (_EQ, _GT, _SLASH, *_QUOTES):
                i += 1
            attribute = src.data[name_begin:i]
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag.name}" at byte offset {begin}'
                )
            while src.at(i) != 0 and _is_space(src.at(i)):
                i += 1
            if src.at(i) != _EQ:
                if src.at(i) == 0:
                    raise EntityParseError(
                        f'Unclosed start tag "{tag.name}" at byte offset {begin}'
                    )
                # A bare attribute matters only as <blockquote expandable>.
                if tag.name == "blockquote" and attribute == b"expandable":
                    tag.argument = b"1"
                continue
            i += 1
            while src.at(i) != 0 and _is_space(src.at(i)):
                i += 1
            if src.at(i) == 0:
                raise EntityParseError(f'Unclosed start tag "{tag.name}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if src.at(i) == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            self._apply_attribute(tag, attribute, value)
        return i

    def _attribute_value(self, i: int) -> tuple[bytes, int]:
        src = self.src
        if src.at(i) not in _QUOTES:
            # An unquoted value is a name token: letters, digits, '.', '-'; case-insensitive.
            token_begin = i
            while _is_alnum(src.at(i)) or src.at(i) in (ord("."), ord("-")):
                i += 1
            if not _is_space(src.at(i)) and src.at(i) != _GT:
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {token_begin}"
                )
            return _ascii_lower(src.data[token_begin:i]), i
        quote = src.at(i)
        i += 1
        value = bytearray()
        while src.at(i) != quote and src.at(i) != 0:
            if src.at(i) == _AMP:
                code, after = _decode_html_entity(src, i)
                if code:
                    value += _encode_code_point(code)
                    i = after
                    continue
            value.append(src.at(i))
            i += 1
        if src.at(i) == quote:
            i += 1
        return bytes(value), i

    @staticmethod
    def _apply_attribute(tag: _OpenTag, attribute: bytes, value: bytes) -> None:
        # Attribute names are compared case-sensitively; unknown ones are ignored.
        name = tag.name
        if name == "a" and attribute == b"href":
            tag.argument = value
        elif name == "code" and attribute == b"class" and value.startswith(b"language-"):
            tag.argument = value[len(b"language-") :]
        elif name == "span" and attribute == b"class" and value.startswith(b"tg-"):
            tag.argument = value[len(b"tg-") :]
        elif name == "tg-emoji" and attribute == b"emoji-id":
            tag.argument = value
        elif name == "blockquote" and attribute == b"expandable":
            tag.argument = b"1"
        elif name == "tg-time" and attribute == b"unix":
            tag.argument = value
        elif name == "tg-time" and attribute == b"format":
            tag.time_format = value

    def _end_tag(self, begin: int) -> int:
        src = self.src
        if not self.open_tags:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 1
        while not _is_space(src.at(i)) and src.at(i) != _GT:
            i += 1
        end_name = _text(_ascii_lower(src.data[begin + 2 : i]))
        while _is_space(src.at(i)) and src.at(i) != 0:
            i += 1
        if src.at(i) != _GT:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag = self.open_tags[-1]
        if end_name and end_name != tag.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", '
                f'found "</{end_name}>"'
            )
        if self.utf16_offset > tag.entity_offset:
            self._close(tag)
        self.open_tags.pop()
        return i + 1

    def _close(self, tag: _OpenTag) -> None:
        offset = tag.entity_offset
        length = self.utf16_offset - offset
        argument = _text(tag.argument)
        if tag.name in _SIMPLE_TAGS:
            self.entities.append(Entity(_SIMPLE_TAGS[tag.name], offset, length))
        elif tag.name == "tg-emoji":
            emoji_id = _to_integer_safe(argument)
            if not emoji_id:
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append(Entity(Kind.CUSTOM_EMOJI, offset, length, str(emoji_id)))
        elif tag.name == "tg-time":
            self.entities.append(self._date_time(tag, offset, length))
        elif tag.name == "a":
            url = argument or _text(self.output[tag.output_position :])
            link = _link_entity(offset, length, url)
            if link is not None:
                self.entities.append(link)
        elif tag.name == "pre":
            self._close_pre(offset, length)
        elif tag.name == "code":
            self._close_code(offset, length, argument)
        else:  # blockquote
            expandable = bool(tag.argument)
            kind = Kind.EXPANDABLE_BLOCKQUOTE if expandable else Kind.BLOCKQUOTE
            self.entities.append(Entity(kind, offset, length))

    def _last_entity_spans(self, kind: Kind, offset: int, length: int) -> Entity | None:
        """The entity closed just before, if it is a `kind` over exactly this range."""
        last = self.entities[-1] if self.entities else None
        if last and last.kind is kind and (last.offset, last.length) == (offset, length):
            return last
        return None

    def _close_pre(self, offset: int, length: int) -> None:
        # <pre><code class="language-x">...</code></pre>: the code already closed.
        code = self._last_entity_spans(Kind.CODE, offset, length)
        if code and code.argument:
            code.kind = Kind.PRE_CODE
        else:
            self.entities.append(Entity(Kind.PRE, offset, length))

    def _close_code(self, offset: int, length: int, language: str) -> None:
        # <code class="language-x"><pre>...</pre></code> also yields a pre with a language.
        pre = self._last_entity_spans(Kind.PRE, offset, length)
        if pre and language:
            pre.kind = Kind.PRE_CODE
            pre.argument = language
        else:
            self.entities.append(Entity(Kind.CODE, offset, length, language))

    @staticmethod
    def _date_time(tag: _OpenTag, offset: int, length: int) -> Entity:
        unix_time = _to_integer_safe(_text(tag.argument))
        if unix_time is None or unix_time < 0:
            raise EntityParseError(INVALID_UNIX_TIME)
        time_format = _text(tag.time_format)
        if not _DATE_TIME_FORMAT.fullmatch(time_format):
            raise EntityParseError(INVALID_DATE_TIME_FORMAT)
        return Entity(Kind.DATE_TIME, offset, length, time_format, unix_time=unix_time)


def parse_html_entities(text: str) -> tuple[str, list[Entity]]:
    """TDLib's HTML parser alone: plain text and sorted entities, before clean-up."""
    return _HtmlParser(_Bytes(text.encode("utf-8", "surrogatepass"))).run()


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse `parse_mode=HTML` text the way Telegram stores it: plain text (control
    characters cleaned, leading/trailing spaces and newlines trimmed) and Bot API
    MessageEntity dicts. Whitespace-only results give ("", []). Raises EntityParseError
    for bad markup (FormattingError only for text that is not valid Unicode)."""
    plain, entities = parse_html_entities(text)
    plain, entities = fix_formatted_text(plain, entities, allow_empty=True)
    return plain, entities_to_dicts(entities)


# ---------------------------------------------------------------------------------------
# MarkdownV2 and legacy Markdown
# ---------------------------------------------------------------------------------------

_MARKDOWN_V2_RESERVED = frozenset(b"_*[]()~`>#+-=|{}.!\n")
_SKIP = None  # a MarkdownV2 character that starts no entity (newline, '>' continuation)


def _reserved_character_error(byte: int) -> EntityParseError:
    return EntityParseError(
        f"Character '{chr(byte)}' is reserved and must be escaped with the preceding '\\'"
    )


@dataclass
class _MarkdownOpen:
    kind: Kind
    argument: bytes
    entity_offset: int
    byte_offset: int
    output_position: int


@dataclass
class _MarkdownV2Parser:
    src: _Bytes
    output: bytearray = field(default_factory=bytearray)
    utf16_offset: int = 0
    entities: list[Entity] = field(default_factory=list)
    open_entities: list[_MarkdownOpen] = field(default_factory=list)
    have_blockquote: bool = False
    can_start_blockquote: bool = True

    def run(self) -> tuple[str, list[Entity]]:
        i = 0
        while i < self.src.size:
            i = self._step(i)
        self._close_trailing_blockquote()
        if self.open_entities:
            raise self._missing_end(self.open_entities[-1])
        return _text(self.output), sorted(self.entities, key=sort_key)

    @staticmethod
    def _missing_end(entity: _MarkdownOpen) -> EntityParseError:
        name = _TDLIB_NAMES[entity.kind]
        return EntityParseError(
            f"Can't find end of {name} entity at byte offset {entity.byte_offset}"
        )

    def _append(self, byte: int) -> None:
        if (byte & 0xC0) != 0x80:
            self.utf16_offset += 2 if byte >= 0xF0 else 1
        self.output.append(byte)

    def _step(self, i: int) -> int:
        src = self.src
        byte = src.data[i]
        if byte == ord("\\") and 0 < src.at(i + 1) <= 126:
            escaped = src.at(i + 1)
            self.utf16_offset += 1
            self.output.append(escaped)
            if escaped != ord("\r"):
                self.can_start_blockquote = escaped == ord("\n")
            return i + 2
        if byte not in self._reserved():
            if (byte & 0xC0) != 0x80 and byte != ord("\r"):
                self.can_start_blockquote = False
            self._append(byte)
            return i + 1
        if self._is_entity_end(i):
            return self._end_entity(i) + 1
        return self._begin_entity(i) + 1

    def _reserved(self) -> frozenset[int] | bytes:
        if self.open_entities and self.open_entities[-1].kind in PRE_KINDS:
            return b"`"
        return _MARKDOWN_V2_RESERVED

    def _is_entity_end(self, i: int) -> bool:
        if not self.open_entities:
            return False
        src = self.src
        byte, next_byte = src.at(i), src.at(i + 1)
        if self.have_blockquote and byte == ord("\n") and next_byte != ord(">"):
            return True
        kind = self.open_entities[-1].kind
        ends: dict[Kind, Callable[[], bool]] = {
            Kind.BOLD: lambda: byte == ord("*"),
            Kind.ITALIC: lambda: byte == ord("_") and next_byte != ord("_"),
            Kind.CODE: lambda: byte == ord("`"),
            Kind.PRE: lambda: src.data[i : i + 3] == b"```",
            Kind.PRE_CODE: lambda: src.data[i : i + 3] == b"```",
            Kind.TEXT_LINK: lambda: byte == ord("]"),
            Kind.UNDERLINE: lambda: byte == ord("_") and next_byte == ord("_"),
            Kind.STRIKETHROUGH: lambda: byte == ord("~"),
            Kind.SPOILER: lambda: byte == ord("|") and next_byte == ord("|"),
            Kind.CUSTOM_EMOJI: lambda: byte == ord("]"),
        }
        check = ends.get(kind)
        return check() if check else False

    def _begin_entity(self, i: int) -> int:
        """Open the entity starting at `i`; return the index of its last marker byte."""
        src = self.src
        byte, next_byte = src.at(i), src.at(i + 1)
        start = i
        argument = b""
        kind: Kind | None
        if byte == ord("_"):
            kind = Kind.UNDERLINE if next_byte == ord("_") else Kind.ITALIC
            i += 1 if kind is Kind.UNDERLINE else 0
        elif byte == ord("*"):
            kind = Kind.BOLD
        elif byte == ord("~"):
            kind = Kind.STRIKETHROUGH
        elif byte == ord("|"):
            if next_byte != ord("|"):
                raise _reserved_character_error(byte)
            kind = Kind.SPOILER
            i += 1
        elif byte == ord("["):
            kind = Kind.TEXT_LINK
        elif byte == ord("`"):
            kind, argument, i = self._begin_code(i)
        elif byte == ord("!"):
            if next_byte != ord("["):
                raise _reserved_character_error(byte)
            kind = Kind.CUSTOM_EMOJI
            i += 1
        elif byte == ord("\n"):
            self.utf16_offset += 1
            self.output.append(byte)
            self.can_start_blockquote = True
            kind = _SKIP
        elif byte == ord(">"):
            kind = self._begin_blockquote(byte)
        else:
            raise _reserved_character_error(byte)
        if kind is not None:
            self.open_entities.append(
                _MarkdownOpen(kind, argument, self.utf16_offset, start, len(self.output))
            )
        return i

    def _begin_blockquote(self, byte: int) -> Kind | None:
        if not self.can_start_blockquote:
            raise _reserved_character_error(byte)
        if self.have_blockquote:
            return _SKIP  # '>' at the start of a continuation line
        self.have_blockquote = True
        return Kind.BLOCKQUOTE

    def _begin_code(self, i: int) -> tuple[Kind, bytes, int]:
        src = self.src
        if src.data[i : i + 3] != b"```":
            return Kind.CODE, b"", i
        i += 3
        kind = Kind.PRE
        argument = b""
        language_end = i
        while not _is_space(src.at(language_end)) and src.at(language_end) != ord("`"):
            language_end += 1
        if i != language_end and language_end < src.size and src.at(language_end) != ord("`"):
            kind = Kind.PRE_CODE
            argument = src.data[i:language_end]
            i = language_end
        i = _skip_one_newline(src, i)
        return kind, argument, i - 1

    def _end_entity(self, i: int) -> int:
        src = self.src
        top = self.open_entities[-1]
        kind = top.kind
        if src.at(i) == ord("\n") and kind is not Kind.BLOCKQUOTE:
            kind = self._expandable_blockquote_end(i, top)
            top = self.open_entities[-1]
        user_id = 0
        argument = _text(top.argument)
        skip_entity = self.utf16_offset == top.entity_offset
        if kind in (Kind.UNDERLINE, Kind.SPOILER):
            i += 1
        elif kind in (Kind.PRE, Kind.PRE_CODE):
            i += 2
        elif kind is Kind.TEXT_LINK:
            url, i = self._link_target(i, top)
            user_id = get_link_user_id(url)
            if not user_id:
                argument = get_checked_link(url)
                skip_entity = skip_entity or not argument
        elif kind is Kind.CUSTOM_EMOJI:
            if src.at(i + 1) != ord("("):
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url, i = self._url_in_parentheses(i + 2, "Can't find end of a custom emoji URL")
            argument = str(get_link_custom_emoji_id(url))
        elif kind in BLOCKQUOTES:
            self.have_blockquote = False
            self.output.append(src.at(i))
            self.can_start_blockquote = True
            self.utf16_offset += 1
            skip_entity = False
        if not skip_entity:
            self._add_markdown_entity(kind, top.entity_offset, argument, user_id)
        self.open_entities.pop()
        return i

    def _expandable_blockquote_end(self, i: int, top: _MarkdownOpen) -> Kind:
        # A newline ends everything but a blockquote; "||" right before it marks the
        # blockquote as expandable.
        right_before = top.byte_offset == i - 2 or (
            top.byte_offset == i - 3 and self.output[-1:] == b"\r"
        )
        if top.kind is not Kind.SPOILER or not right_before:
            raise self._missing_end(top)
        self.open_entities.pop()
        if self.open_entities[-1].kind is not Kind.BLOCKQUOTE:
            raise self._missing_end(self.open_entities[-1])
        return Kind.EXPANDABLE_BLOCKQUOTE

    def _link_target(self, i: int, top: _MarkdownOpen) -> tuple[str, int]:
        if self.src.at(i + 1) != ord("("):
            return _text(self.output[top.output_position :]), i
        return self._url_in_parentheses(i + 2, "Can't find end of a URL")

    def _url_in_parentheses(self, i: int, error: str) -> tuple[str, int]:
        src = self.src
        begin = i
        url = bytearray()
        while i < src.size and src.data[i] != ord(")"):
            if src.data[i] == ord("\\") and 0 < src.at(i + 1) <= 126:
                url.append(src.data[i + 1])
                i += 2
                continue
            url.append(src.data[i])
            i += 1
        if src.at(i) != ord(")"):
            raise EntityParseError(f"{error} at byte offset {begin}")
        return _text(url), i

    def _add_markdown_entity(self, kind: Kind, offset: int, argument: str, user_id: int) -> None:
        length = self.utf16_offset - offset
        if user_id:
            self.entities.append(Entity(Kind.TEXT_MENTION, offset, length, user_id=user_id))
        else:
            self.entities.append(Entity(kind, offset, length, argument))

    def _close_trailing_blockquote(self) -> None:
        if not self.have_blockquote:
            return
        kind = Kind.BLOCKQUOTE
        top = self.open_entities[-1]
        if top.kind is Kind.SPOILER and top.byte_offset == self.src.size - 2:
            self.open_entities.pop()
            kind = Kind.EXPANDABLE_BLOCKQUOTE
        top = self.open_entities[-1]
        if top.kind is Kind.BLOCKQUOTE:
            self.have_blockquote = False
            if self.utf16_offset != top.entity_offset:
                length = self.utf16_offset - top.entity_offset
                self.entities.append(Entity(kind, top.entity_offset, length))
            self.open_entities.pop()


def _skip_one_newline(src: _Bytes, i: int) -> int:
    """After ``` (and a language), one line break is not part of the block."""
    line_breaks = (ord("\n"), ord("\r"))
    if src.at(i) in line_breaks:
        pair = src.at(i + 1) in line_breaks and src.at(i) != src.at(i + 1)
        return i + (2 if pair else 1)
    return i


def parse_markdown_v2_entities(text: str) -> tuple[str, list[Entity]]:
    """TDLib's MarkdownV2 parser: plain text and sorted entities, before clean-up."""
    return _MarkdownV2Parser(_Bytes(text.encode("utf-8", "surrogatepass"))).run()


_MARKDOWN_MARKERS = frozenset(b"_*`[")


def parse_markdown_entities(text: str) -> tuple[str, list[Entity]]:
    """TDLib's legacy Markdown parser (`parse_mode=Markdown`)."""
    src = _Bytes(text.encode("utf-8", "surrogatepass"))
    output = bytearray()
    entities: list[Entity] = []
    counter = _Utf16Counter()
    i = 0
    while i < src.size:
        byte = src.data[i]
        if byte == ord("\\") and src.at(i + 1) in _MARKDOWN_MARKERS:
            output.append(src.data[i + 1])
            counter.units += 1
            i += 2
            continue
        if byte not in _MARKDOWN_MARKERS:
            counter.add(byte)
            output.append(byte)
            i += 1
            continue
        i = _markdown_entity(src, i, output, entities, counter) + 1
    return _text(output), sorted(entities, key=sort_key)


@dataclass
class _Utf16Counter:
    units: int = 0

    def add(self, byte: int) -> None:
        if (byte & 0xC0) != 0x80:
            self.units += 2 if byte >= 0xF0 else 1


def _markdown_entity(
    src: _Bytes, begin: int, output: bytearray, entities: list[Entity], counter: _Utf16Counter
) -> int:
    """One legacy Markdown entity starting at `begin`; returns the index of its last byte."""
    marker = src.data[begin]
    end_marker = ord("]") if marker == ord("[") else marker
    i = begin + 1
    language = b""
    is_pre = marker == ord("`") and src.data[i : i + 2] == b"``"
    if is_pre:
        i += 2
        language_end = i
        while not _is_space(src.at(language_end)) and src.at(language_end) != ord("`"):
            language_end += 1
        if i != language_end and language_end < src.size and src.at(language_end) != ord("`"):
            language = src.data[i:language_end]
            i = language_end
        i = _skip_one_newline(src, i)
    entity_offset = counter.units
    inner_start = len(output)
    while i < src.size and (
        src.data[i] != end_marker or (is_pre and src.data[i + 1 : i + 3] != b"``")
    ):
        counter.add(src.data[i])
        output.append(src.data[i])
        i += 1
    if i == src.size:
        raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
    length = counter.units - entity_offset
    if length:
        if marker == ord("["):
            url = _text(output[inner_start:])
            if src.at(i + 1) == ord("("):
                i += 2
                target = bytearray()
                while i < src.size and src.data[i] != ord(")"):
                    target.append(src.data[i])
                    i += 1
                url = _text(target)
            link = _link_entity(entity_offset, length, url)
            if link is not None:
                entities.append(link)
        else:
            entities.append(
                _markdown_simple_entity(marker, is_pre, language, entity_offset, length)
            )
    return i + 2 if is_pre else i


def _markdown_simple_entity(
    marker: int, is_pre: bool, language: bytes, offset: int, length: int
) -> Entity:
    if marker == ord("_"):
        return Entity(Kind.ITALIC, offset, length)
    if marker == ord("*"):
        return Entity(Kind.BOLD, offset, length)
    if not is_pre:
        return Entity(Kind.CODE, offset, length)
    if language:
        return Entity(Kind.PRE_CODE, offset, length, _text(language))
    return Entity(Kind.PRE, offset, length)


# ---------------------------------------------------------------------------------------
# Clean-up: TDLib's fix_formatted_text
# ---------------------------------------------------------------------------------------


def _is_removed_as_empty(entity: Entity) -> bool:
    if entity.length <= 0:
        return True
    if entity.kind is Kind.TEXT_LINK:
        return not entity.argument
    if entity.kind is Kind.TEXT_MENTION:
        return not 0 < entity.user_id <= MAX_USER_ID
    if entity.kind is Kind.CUSTOM_EMOJI:
        return entity.argument in ("", "0")
    return False


def remove_empty_entities(entities: Iterable[Entity]) -> list[Entity]:
    return [entity for entity in entities if not _is_removed_as_empty(entity)]


def _nesting_is_valid(entity: Entity, parents: list[Entity]) -> bool:
    """TDLib's rules for one entity inside the chain of entities containing it."""
    parent = parents[-1]
    open_kinds = [p.kind for p in parents]
    if entity.end > parent.end or entity.kind in open_kinds:
        return False
    if parent.kind in PRE_KINDS:
        return False  # nothing nests inside code or pre
    if entity.kind in PRE_KINDS and any(k not in BLOCKQUOTES for k in open_kinds):
        return False  # code and pre may sit only inside a blockquote
    if (entity.kind in CONTINUOUS or entity.kind in BLOCKQUOTES) and any(
        k in CONTINUOUS for k in open_kinds
    ):
        return False
    if entity.kind in BLOCKQUOTES and any(k in BLOCKQUOTES for k in open_kinds):
        return False
    # Anything inside bold & co. forces a re-split, for consistency.
    return not any(k in SPLITTABLE for k in open_kinds)


def are_entities_valid(entities: list[Entity]) -> bool:
    """True when sorted `entities` already nest the way Telegram keeps them."""
    last_end: dict[Kind, int] = {}
    parents: list[Entity] = []
    for entity in entities:
        while parents and entity.offset >= parents[-1].end:
            parents.pop()
        if parents and not _nesting_is_valid(entity, parents):
            return False
        if entity.kind in SPLITTABLE:
            if last_end.get(entity.kind, -1) >= entity.offset:
                return False  # touching or overlapping same-kind entities get merged
            last_end[entity.kind] = entity.end
        parents.append(entity)
    return True


def remove_intersecting_entities(entities: list[Entity]) -> list[Entity]:
    """Keep, in order, each entity that starts after all kept ones ended (drops nested)."""
    kept: list[Entity] = []
    last_end = 0
    for entity in entities:
        if entity.offset >= last_end:
            kept.append(entity)
            last_end = entity.end
    return kept


def _remove_entities_intersecting_blockquote(
    entities: list[Entity], blockquotes: list[Entity]
) -> list[Entity]:
    kept: list[Entity] = []
    index = 0
    for entity in entities:
        while index < len(blockquotes) and blockquotes[index].end <= entity.offset:
            index += 1
        if index < len(blockquotes):
            quote = blockquotes[index]
            crosses_end = quote.end < entity.end
            crosses_start = entity.offset < quote.offset < entity.end
            if crosses_end or crosses_start:
                continue
        kept.append(entity)
    return kept


class _Splitter:
    """TDLib's split_entities: merge same-kind bold/italic/... runs and cut them at the
    boundaries of other entities; parts inside code/pre are dropped."""

    def __init__(self, splittable: list[Entity]) -> None:
        self.pending = splittable
        self.next_index = 0
        self.begin = {kind: 0 for kind in SPLITTABLE}
        self.end = {kind: 0 for kind in SPLITTABLE}
        self.result: list[Entity] = []

    def flush(self, offset: int) -> None:
        for kind in SPLITTABLE:
            if self.end[kind] == 0 or self.begin[kind] >= offset:
                continue
            if self.end[kind] <= offset:
                self.result.append(
                    Entity(kind, self.begin[kind], self.end[kind] - self.begin[kind])
                )
                self.begin[kind] = self.end[kind] = 0
            else:
                self.result.append(Entity(kind, self.begin[kind], offset - self.begin[kind]))
                self.begin[kind] = offset

    def advance(self, end_offset: int) -> None:
        while self.next_index < len(self.pending):
            entity = self.pending[self.next_index]
            if entity.offset >= end_offset:
                break
            kind = entity.kind
            if self.end[kind] != 0 and entity.offset <= self.end[kind]:
                self.end[kind] = max(self.end[kind], entity.end)
            else:
                self.flush(entity.offset)
                self.begin[kind], self.end[kind] = entity.offset, entity.end
            self.next_index += 1
        self.flush(end_offset)

    def split_around(self, others: list[Entity]) -> list[Entity]:
        stack: list[Entity] = []

        def advance_to(offset: int) -> None:
            while stack and offset >= stack[-1].end:
                size_before = len(self.result)
                self.advance(stack[-1].end)
                if stack[-1].kind in PRE_KINDS:
                    del self.result[size_before:]
                stack.pop()
            self.advance(offset)

        for other in others:
            advance_to(other.offset)
            stack.append(other)
        advance_to(1 << 62)
        return sorted(self.result, key=sort_key)


def fix_entities(entities: list[Entity]) -> list[Entity]:
    """Repair nesting the way TDLib does: continuous entities (links, code, ...) cannot
    overlap, blockquotes cannot nest, bold & co. are merged and split around the rest."""
    entities = sorted(entities, key=sort_key)
    if are_entities_valid(entities):
        return entities
    splittable = [e for e in entities if e.kind in SPLITTABLE]
    blockquotes = [e for e in entities if e.kind in BLOCKQUOTES]
    others = [e for e in entities if e.kind not in SPLITTABLE and e.kind not in BLOCKQUOTES]
    others = remove_intersecting_entities(others)
    if blockquotes:
        blockquotes = remove_intersecting_entities(blockquotes)
        others = _remove_entities_intersecting_blockquote(others, blockquotes)
        others = sorted(others + blockquotes, key=sort_key)
    if not splittable:
        return others
    split = _Splitter(splittable).split_around(others)
    return sorted(others + split, key=sort_key)


# Characters TDLib drops from text: \r, U+2028..U+202E (line/paragraph separators and
# bidi embeddings) and three combining marks drawing vertical lines.
_DROPPED_CHARACTERS = frozenset(
    {"\r", *map(chr, range(0x2028, 0x202F)), "\u0333", "\u033f", "\u030a"}
)


def _cleaned_character(char: str) -> str:
    """What TDLib keeps of `char`: "" if dropped, " " for control characters and tabs."""
    if char in _DROPPED_CHARACTERS:
        return ""
    if ord(char) < 32 and char != "\n":
        return " "
    return char


@dataclass
class _Cleaner:
    """TDLib's clean_input_string_with_entities: rewrites the text and shifts entities."""

    entities: list[Entity]
    result: list[str] = field(default_factory=list)
    utf16_offset: int = 0
    skipped: int = 0
    byte_offset: int = 0
    next_index: int = 0
    stack: list[tuple[Entity, int]] = field(default_factory=list)

    def run(self, text: str) -> str:
        for char in text:
            self._at_boundary()
            cleaned = _cleaned_character(char)
            units = 2 if ord(char) > 0xFFFF else 1
            self.utf16_offset += units
            if not cleaned:
                self.skipped += units
            self.result.append(cleaned)
            self.byte_offset += len(char.encode("utf-8", "surrogatepass"))
        self._at_boundary()
        self._check_all_closed()
        return "".join(self.result)

    def _at_boundary(self) -> None:
        while self.stack and self.utf16_offset >= self.stack[-1][0].end:
            entity, skipped_before = self.stack.pop()
            if self.utf16_offset != entity.end:
                raise FormattingError(
                    f"Entity beginning at UTF-16 offset {entity.offset} ends in a middle of a "
                    f"UTF-16 symbol at byte offset {self.byte_offset}"
                )
            entity.offset -= skipped_before
            entity.length -= self.skipped - skipped_before
        while (
            self.next_index < len(self.entities)
            and self.utf16_offset >= self.entities[self.next_index].offset
        ):
            entity = self.entities[self.next_index]
            if self.utf16_offset != entity.offset:
                raise FormattingError(
                    "Entity begins in a middle of a UTF-16 symbol at byte offset "
                    f"{self.byte_offset}"
                )
            self.stack.append((entity, self.skipped))
            self.next_index += 1

    def _check_all_closed(self) -> None:
        if self.next_index != len(self.entities):
            offset = self.entities[self.next_index].offset
            raise FormattingError(
                f"Entity begins after the end of the text at UTF-16 offset {offset}"
            )
        if self.stack:
            entity = self.stack[-1][0]
            raise FormattingError(
                f"Entity beginning at UTF-16 offset {entity.offset} ends after the end of the "
                f"text at UTF-16 offset {entity.end}"
            )


_DIRECTION_MARKS = re.compile("[\u200e\u200f]{2,}")


def _replace_offending_characters(text: str) -> str:
    # A run of LRM/RLM marks keeps only its last one; the others become ZWNJ.
    return _DIRECTION_MARKS.sub(lambda m: "\u200c" * (len(m.group()) - 1) + m.group()[-1], text)


def _last_visible_utf16_offset(text: str) -> int:
    """UTF-16 offset of the last unit of the last character that is not ' ' or '\\n'."""
    stripped = text.rstrip(" \n")
    return utf16_length(stripped) - 1


def _rtrim(text: str, entities: list[Entity], last_visible: int) -> tuple[str, list[Entity]]:
    text = text.rstrip(" \n")
    kept = [entity for entity in entities if entity.offset <= last_visible]
    for entity in kept:
        entity.length = min(entity.length, last_visible + 1 - entity.offset)
    return text, sorted(kept, key=sort_key)


def _ltrim(text: str, entities: list[Entity]) -> str:
    # Leading spaces/newlines go, but never past the start of the first entity.
    limit = entities[0].offset if entities else len(text)
    count = 0
    while count < limit and count < len(text) and text[count] in " \n":
        count += 1
    for entity in entities:
        entity.offset -= count
    return text[count:]


def fix_formatted_text(
    text: str, entities: list[Entity], *, allow_empty: bool, trim: bool = True
) -> tuple[str, list[Entity]]:
    """TDLib's fix_formatted_text (without finding new entities): validate and repair the
    entities, clean the text, and trim it. Raises FormattingError("Text must be non-empty")
    for whitespace-only text unless `allow_empty`, in which case ("", []) is returned."""
    entities = [
        Entity(e.kind, e.offset, e.length, e.argument, e.user_id, e.unix_time) for e in entities
    ]
    for entity in entities:
        if not 0 <= entity.offset <= 1_000_000:
            raise FormattingError(f"Receive an entity with incorrect offset {entity.offset}")
        if not 0 <= entity.length <= 1_000_000:
            raise FormattingError(f"Receive an entity with incorrect length {entity.length}")
    entities = fix_entities(remove_empty_entities(entities))
    cleaned = _replace_offending_characters(_Cleaner(entities).run(text))
    entities = remove_empty_entities(entities)
    last_visible = _last_visible_utf16_offset(cleaned)
    if last_visible < 0:
        if allow_empty:
            return "", []
        raise FormattingError("Text must be non-empty")
    entities = fix_entities(entities)
    if not trim:
        return cleaned, entities
    cleaned, entities = _rtrim(cleaned, entities, last_visible)
    return _ltrim(cleaned, entities), entities


# ---------------------------------------------------------------------------------------
# Bot API JSON
# ---------------------------------------------------------------------------------------


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    """The Bot API MessageEntity of `entity`. A text_mention gets the user the way the
    real server describes a user it knows nothing about (empty first name)."""
    kind = Kind.PRE if entity.kind is Kind.PRE_CODE else entity.kind
    result: dict[str, Any] = {"offset": entity.offset, "length": entity.length, "type": str(kind)}
    if entity.kind is Kind.PRE_CODE:
        result["language"] = entity.argument
    elif entity.kind is Kind.TEXT_LINK:
        result["url"] = entity.argument
    elif entity.kind is Kind.TEXT_MENTION:
        result["user"] = {"id": entity.user_id, "is_bot": False, "first_name": ""}
    elif entity.kind is Kind.CUSTOM_EMOJI:
        result["custom_emoji_id"] = entity.argument
    elif entity.kind is Kind.DATE_TIME:
        result["unix_time"] = entity.unix_time
        if entity.argument:
            result["date_time_format"] = entity.argument
    return result


def entities_to_dicts(entities: Iterable[Entity]) -> list[dict[str, Any]]:
    return [entity_to_dict(entity) for entity in entities]
