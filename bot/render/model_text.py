"""The model's words into Telegram HTML: normalised, escaped, links made inert, capped.

OWASP LLM02 (improper output handling): nothing the model says becomes markup or a live
link or mention, every check sees the text the reader will see (NFKC, no invisible
characters), and one answer is at most one message.
"""

from __future__ import annotations

import html
import re
import unicodedata

from bot.domain.invisible import strip_invisible
from bot.domain.links.classify import LinkKind, classify_link

TELEGRAM_MESSAGE_LIMIT = 4096
# Model prose shown to a user: well inside one message once escaped and labelled.
MAX_MODEL_TEXT = 2500
_BLANK_LINES = re.compile(r"\n{3,}")
# Control characters other than line breaks and tabs: nothing a reader should get.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise_model_text(text: str) -> str:
    """What a check and a reader both see: NFKC (full-width and compatibility forms to
    plain ones), zero-width characters, bidi controls, tag characters and other controls
    removed, line breaks tidied. Every check on model text runs on this, never on the raw
    text, so "s\u200bafe" is "safe" to the check exactly as it is to the eye."""
    folded = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = _CONTROLS.sub("", strip_invisible(folded))
    # NFKC can produce new combining sequences; stripping can join pieces: fold again.
    cleaned = unicodedata.normalize("NFKC", cleaned)
    return _BLANK_LINES.sub("\n\n", cleaned).strip()


# Plain dots: NFKC would turn "…" into three of them, and the text is normalised again
# when it is shown.
_CUT_MARK = "..."


def cap_model_text(text: str, limit: int = MAX_MODEL_TEXT) -> tuple[str, bool]:
    """`text` (normalised) cut to `limit` UTF-16 code units (Telegram's measure: an emoji
    counts twice), at a word where it can be, and whether it was cut, so the caller can
    say so."""
    cleaned = normalise_model_text(text)
    if telegram_length(cleaned) <= limit:
        return cleaned, False
    end, used = 0, 0
    for end, character in enumerate(cleaned):  # noqa: B007 - `end` is used after the loop
        used += 2 if ord(character) > 0xFFFF else 1
        if used > limit - len(_CUT_MARK):
            break
    head = cleaned[:end]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space > limit // 2:
        head = head[:space]
    return head.rstrip() + _CUT_MARK, True


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def model_text_html(text: str) -> str:
    """Model output made inert for `parse_mode=HTML`: no tags of its own, no live links,
    no live mentions or commands.

    Telegram turns bare addresses (IDN and mixed-script ones too), @mentions, e-mail
    addresses and /commands in a message into links by itself, so escaping alone is not
    enough: each goes into a `<code>` span, in which Telegram recognises no entity (tap
    copies it). Invisible characters are removed first, so none can hide an address from
    this check while Telegram still sees it. A phishing "refund" link the model was tricked
    into repeating cannot be tapped open, and a plain-ASCII 1688 offer link still can."""
    cleaned = normalise_model_text(text)
    pieces: list[str] = []
    position = 0
    for match in _ADDRESS.finditer(cleaned):
        # A sentence's full stop or comma after an address is not part of it.
        raw = match.group(0).rstrip(".,;:!?")
        pieces.append(html.escape(cleaned[position : match.start()], quote=False))
        address = html.escape(raw, quote=False)
        pieces.append(address if _is_platform_page(raw) else f"<code>{address}</code>")
        position = match.start() + len(raw)
    pieces.append(html.escape(cleaned[position:], quote=False))
    return "".join(pieces)


# What Telegram may turn into an entity by itself. Host labels are any letters or digits of
# any script (IDN, punycode and mixed-script look-alikes such as "аlibaba.com" with a
# Cyrillic "а"), the top-level label is letters only (so "12.5kg" is not a host), and the
# ideographic full stop counts as a dot before a Latin top-level label ("alibaba。com").
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_HOST = (
    rf"(?:{_LABEL}\.)+(?:xn--[a-z0-9-]+|[^\W\d_]{{2,}})(?![\w-])"
    rf"|(?:{_LABEL}[.。])+[a-z]{{2,24}}(?![\w-])"
)
_TAIL = r"[^\s<>\"'()（）]*"
_ADDRESS = re.compile(
    # A scheme link of any kind (tg:, javascript: too).
    rf"(?<![\w-])[a-z][a-z0-9+.-]{{1,15}}:(?://)?[^\s<>\"'()（）]+"
    # An e-mail address or a bare host, with whatever path follows it.
    rf"|(?<![\w.+-])(?:[\w.+-]+@)?(?:{_HOST})(?:[:/?#]{_TAIL})?"
    # A @mention, a $cashtag-free /command.
    r"|(?<![\w@])@\w+"
    r"|(?<![\w/<>])/[a-z]\w*(?:@\w+)?",
    re.IGNORECASE,
)
_SAFE_KINDS = frozenset({LinkKind.OFFER, LinkKind.SHOP, LinkKind.SHARE_LINK, LinkKind.PAGE})


def _is_platform_page(address: str) -> bool:
    if not address.isascii() or address.startswith(("@", "/")) or "@" in address:
        return False  # a look-alike, a mention, a command or an e-mail: never live
    if ":" in address.split("/", 1)[0] and not address.lower().startswith(("http:", "https:")):
        return False  # tg:, javascript:, mailto: … never live
    check = classify_link(address)
    return check.kind in _SAFE_KINDS and check.platform == "1688"


def split_message(markup: str, limit: int = TELEGRAM_MESSAGE_LIMIT) -> list[str]:
    """`markup` in pieces of at most `limit` characters, cut between paragraphs, lines or
    words, never inside an HTML entity or tag (the pieces must each parse on their own, so
    callers split plain escaped text, or text whose tags do not span a line break)."""
    pieces: list[str] = []
    rest = markup.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    head = text[:limit]
    for separator in ("\n\n", "\n", " "):
        at = head.rfind(separator)
        if at > limit // 4:
            return at
    # One enormous word: cut anyway, but not inside "&amp;" or "<b>".
    cut = limit
    for opener, closer in (("&", ";"), ("<", ">")):
        start = head.rfind(opener)
        if start != -1 and closer not in head[start:]:
            cut = min(cut, start)
    return cut if cut > 0 else limit
