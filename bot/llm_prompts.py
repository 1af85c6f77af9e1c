"""Prompt templates for the language model, and the two borders around it.

Templates are Markdown files in `prompts/llm/`, named `<name>.v<version>.md` (see
prompts/README.md): a `# system` and a `# user` part with `{{placeholder}}` slots. The
highest version of each name is the one in use; the name and version go into the log line
of every request, so an answer can be traced to the exact words that asked for it.

The borders (OWASP LLM01 and LLM10):
- in: text a third party wrote (a supplier's chat, an order page) goes in as a block the
  model is told is data, fenced by markers carrying a per-request nonce, so the text cannot
  close the fence itself; invisible characters that hide instructions are stripped first;
- out: the model's words are stripped of the same characters and HTML-escaped before they
  meet Telegram's HTML parser, and long answers are split under Telegram's 4,096 characters.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.domain.links import LinkKind, classify_link
from bot.knowledge import REPOSITORY_ROOT

TEMPLATES_DIR = REPOSITORY_ROOT / "prompts" / "llm"
TELEGRAM_MESSAGE_LIMIT = 4096
# Telegram's own limit for one message; the most anyone could paste in one go.
MAX_UNTRUSTED_CHARS = 4096

_FILE_NAME = re.compile(r"(?P<name>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.md")
_SLOT = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_PART = re.compile(r"^# (system|user)\s*$", re.MULTILINE)
# Unicode tag characters, variation selectors, zero-width characters and bidi controls:
# invisible in a chat, read by a model, the usual carriers of hidden instructions.
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\ufe00-\ufe0f\u200b-\u200f\u2060-\u2064\u202a-\u202e"
    "\u2066-\u2069\ufeff\u00ad]"
)


class TemplateError(ValueError):
    """A template file that does not follow the layout in prompts/README.md."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    system: str
    user: str

    @property
    def label(self) -> str:
        return f"{self.name}.v{self.version}"

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(_SLOT.findall(self.system) + _SLOT.findall(self.user))

    def render(self, values: Mapping[str, str]) -> tuple[str, str]:
        """(system, user) with every slot filled; a missing or unknown value is a bug."""
        missing = self.slots - values.keys()
        unknown = values.keys() - self.slots
        if missing or unknown:
            raise TemplateError(
                f"{self.label}: missing {sorted(missing)}, unexpected {sorted(unknown)}"
            )

        def fill(text: str) -> str:
            return _SLOT.sub(lambda match: values[match.group(1)], text)

        return fill(self.system), fill(self.user)


def parse_template(path: Path) -> PromptTemplate:
    match = _FILE_NAME.fullmatch(path.name)
    if match is None:
        raise TemplateError(f"{path.name}: name must be <name>.v<version>.md")
    parts = _PART.split(path.read_text(encoding="utf-8"))
    # split() keeps the headings: [preamble, "system", text, "user", text]
    headings = parts[1::2]
    if headings != ["system", "user"]:
        raise TemplateError(f"{path.name}: needs a '# system' then a '# user' part")
    system, user = (part.strip() for part in parts[2::2])
    if not system or not user:
        raise TemplateError(f"{path.name}: empty part")
    return PromptTemplate(match["name"], int(match["version"]), system, user)


@cache
def templates(directory: Path = TEMPLATES_DIR) -> dict[str, PromptTemplate]:
    """The newest version of every template, by name."""
    newest: dict[str, PromptTemplate] = {}
    for path in sorted(directory.glob("*.md")):
        if path.name == "README.md":
            continue
        template = parse_template(path)
        known = newest.get(template.name)
        if known is None or template.version > known.version:
            newest[template.name] = template
    return newest


def template(name: str) -> PromptTemplate:
    try:
        return templates()[name]
    except KeyError:
        raise TemplateError(f"no prompt template named {name!r} in {TEMPLATES_DIR}") from None


# ---------------------------------------------------------------------------------------
# In: third-party text as fenced data
# ---------------------------------------------------------------------------------------


def strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def new_nonce() -> str:
    return secrets.token_hex(6)


def untrusted_block(label: str, text: str, nonce: str) -> str:
    """`text` as a fenced block of data. The fence names the nonce that the system prompt
    announces, and any copy of the nonce inside the text is removed, so a pasted message
    cannot end the block early and speak as us."""
    cleaned = strip_invisible(text).replace(nonce, "")
    if len(cleaned) > MAX_UNTRUSTED_CHARS:
        cleaned = cleaned[:MAX_UNTRUSTED_CHARS] + " [cut]"
    return f"<<<DATA {label} {nonce}>>>\n{cleaned}\n<<<END DATA {nonce}>>>"


# ---------------------------------------------------------------------------------------
# Out: the model's words into Telegram HTML
# ---------------------------------------------------------------------------------------

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
