"""Message catalogues: every text a user sees, one JSON file per language.

Texts are Telegram HTML. Values interpolated into a text are HTML-escaped unless they are
wrapped in `Html`, so a user's own words can never break the markup or inject links.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Html:
    """A fragment that is already valid Telegram HTML and must not be escaped again."""

    markup: str


@cache
def _catalogue(language: str) -> dict[str, str]:
    """All texts of one language: every `locales/<language>/*.json`, one file per flow."""
    merged: dict[str, str] = {}
    folder = resources.files("bot.render").joinpath("locales", language)
    for part in sorted(folder.iterdir(), key=lambda p: p.name):
        if not part.name.endswith(".json"):
            continue
        texts: dict[str, str] = json.loads(part.read_text("utf-8"))
        clashes = merged.keys() & texts.keys()
        if clashes:
            raise ValueError(f"{language}/{part.name} repeats keys {sorted(clashes)}")
        merged.update(texts)
    return merged


@cache
def available_languages() -> tuple[str, ...]:
    folder = resources.files("bot.render").joinpath("locales")
    return tuple(sorted(p.name for p in folder.iterdir() if p.is_dir()))


def resolve_language(code: str | None) -> str:
    """Map Telegram's language_code ('en-GB', 'ru', None) onto a catalogue we have."""
    if code:
        base = code.split("-")[0].split("_")[0].lower()
        if base in available_languages():
            return base
    return DEFAULT_LANGUAGE


def _escape(value: Any) -> str:
    if isinstance(value, Html):
        return value.markup
    return html.escape(str(value), quote=False)


def translate(language: str, key: str, /, **values: Any) -> str:
    """The text for `key` in `language`, falling back to English for a missing key."""
    template = _catalogue(resolve_language(language)).get(key)
    if template is None:
        template = _catalogue(DEFAULT_LANGUAGE)[key]
    if not values:
        return template
    return template.format(**{name: _escape(value) for name, value in values.items()})


def keys(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    return frozenset(_catalogue(language))
