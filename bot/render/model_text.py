"""The model's words into Telegram HTML: escaped, links made inert, split under the limit.

OWASP LLM02 (improper output handling): nothing the model says becomes markup or a live
link, and long answers are cut where each piece still parses on its own.
"""

from __future__ import annotations

import html
import re

from bot.domain.invisible import strip_invisible
from bot.domain.links.classify import LinkKind, classify_link

TELEGRAM_MESSAGE_LIMIT = 4096
_BLANK_LINES = re.compile(r"\n{3,}")


def model_text_html(text: str) -> str:
    """Model output made inert for `parse_mode=HTML`: no tags of its own, no live links.

    Telegram turns bare addresses in a message into links by itself, so escaping alone is
    not enough: every address that is not a 1688 page goes into a `<code>` span, which
    Telegram never links (tap copies it). A phishing "refund" link the model was tricked
    into repeating cannot be tapped open, and a 1688 offer link still can."""
    cleaned = _BLANK_LINES.sub("\n\n", strip_invisible(text).replace("\r", "")).strip()
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


# A scheme link of any kind (tg:, javascript: too), www., or a bare dotted host name.
_ADDRESS = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]{1,15}:(?://)?[^\s<>\"'()（）]+)"
    r"|(?:\b(?:[a-z0-9-]+\.)+[a-z]{2,24}\b(?:[/?#][^\s<>\"'()（）]*)?)",
    re.IGNORECASE,
)
_SAFE_KINDS = frozenset({LinkKind.OFFER, LinkKind.SHOP, LinkKind.SHARE_LINK, LinkKind.PAGE})


def _is_platform_page(address: str) -> bool:
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
