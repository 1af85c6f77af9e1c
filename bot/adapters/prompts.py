"""Prompt templates for the language model, and the two borders around it.

Templates are Markdown files in `prompts/llm/`, named `<name>.v<version>.md` (see
prompts/README.md): a `# system` and a `# user` part with `{{placeholder}}` slots. The
highest version of each name is the one in use; the name and version go into the log line
of every request, so an answer can be traced to the exact words that asked for it.

The borders (OWASP LLM01 and LLM10):
- in: text a third party wrote (a supplier's chat, an order page) goes in as a block the
  model is told is data, fenced by markers carrying a per-request nonce, so the text cannot
  close the fence itself; invisible characters that hide instructions are stripped first;
- out: the model's words are made inert before Telegram sees them (bot/render/model_text.py).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.domain.invisible import strip_invisible

TEMPLATES_DIR = PROJECT_ROOT / "prompts" / "llm"
# Telegram's own limit for one message; the most anyone could paste in one go.
MAX_UNTRUSTED_CHARS = 4096

_FILE_NAME = re.compile(r"(?P<name>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.md")
_SLOT = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_PART = re.compile(r"^# (system|user)\s*$", re.MULTILINE)


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
