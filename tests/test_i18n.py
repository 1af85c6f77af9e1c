"""Every text a user can see is in the catalogue and is valid Telegram HTML."""

from __future__ import annotations

import re
import string

import pytest

from bot.render.i18n import Html, available_languages, keys, resolve_language, translate
from bot.sandbox.html_parser import parse_html

ALL_KEYS = sorted(keys())


def placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


@pytest.mark.parametrize("language", available_languages())
def test_every_language_has_every_key(language: str) -> None:
    assert keys(language) == keys("en")


@pytest.mark.parametrize("language", available_languages())
@pytest.mark.parametrize("key", ALL_KEYS)
def test_each_text_parses_as_telegram_html_with_hostile_values(language: str, key: str) -> None:
    template = translate(language, key)
    values = {name: "<b>&amp; 1 < 2 </i>" for name in placeholders(template)}

    text = translate(language, key, **values)
    plain, _ = parse_html(text)

    assert plain.strip()
    assert len(plain) <= 4096


def test_interpolated_values_are_escaped_unless_marked_as_html() -> None:
    escaped = translate("en", "unknown_command", command="<b>x</b>")
    trusted = translate("en", "unknown_command", command=Html("<b>x</b>"))

    assert "&lt;b&gt;x&lt;/b&gt;" in escaped
    assert "<b>x</b>" in trusted


@pytest.mark.parametrize(
    ("telegram_code", "language"),
    [("en", "en"), ("en-GB", "en"), (None, "en"), ("xx", "en"), ("", "en")],
)
def test_telegram_language_codes_map_to_a_catalogue(
    telegram_code: str | None, language: str
) -> None:
    assert resolve_language(telegram_code) == language


def test_command_descriptions_fit_telegram_limits() -> None:
    for key in ALL_KEYS:
        if key.startswith("cmd_"):
            assert re.fullmatch(r"[a-z0-9_]{1,32}", key.removeprefix("cmd_"))
            assert 1 <= len(translate("en", key)) <= 256
