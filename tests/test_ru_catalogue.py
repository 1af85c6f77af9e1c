"""The Russian catalogue says what the English one says: same keys, placeholders, markup and
Chinese platform terms, translated everywhere except in the few language-neutral texts."""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

import pytest

import bot

LOCALES = Path(bot.__file__).parent / "render" / "locales"
EN_FILES = sorted(path.name for path in (LOCALES / "en").glob("*.json"))

# Texts that are the same in every language: emoji, bullets around a placeholder, clock
# times, a page counter, and a badge whose name is Chinese plus its official English name.
LANGUAGE_NEUTRAL = frozenset(
    {
        "kb_page_header",
        "ord_card_title",
        "pay_advice_line",
        "pay_signal_line_no_evidence",
        "quiet_preset_0-8",
        "quiet_preset_22-8",
        "quiet_preset_23-7",
        "rem_resumed_item",
        "sup_bullet",
        "sup_card_factor",
        "sup_card_factor_detail",
        "sup_card_finding",
        "sup_card_finding_quote",
        "sup_card_open_item",
        "sup_rating_icon_amber",
        "sup_rating_icon_green",
        "sup_rating_icon_red",
        "sup_rating_icon_unknown",
        "trace_title",
    }
)
BUTTON_PATTERNS = ("btn_*", "*_btn_*", "*_opt_*", "*_when_*", "quiet_preset_*")
MAX_BUTTON_LABEL = 40

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A Chinese term: CJK characters, possibly with digits or Chinese punctuation inside
# ("拍个1元链接", "系统提示：此消息安全").
_CHINESE_TERM = re.compile(rf"[{_CJK}](?:[{_CJK}0-9，：、]*[{_CJK}])?")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[a-z]{2,}", re.IGNORECASE)


def _load(language: str, file_name: str) -> dict[str, str]:
    texts: dict[str, str] = json.loads((LOCALES / language / file_name).read_text("utf-8"))
    return texts


def _merged(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for file_name in EN_FILES:
        merged.update(_load(language, file_name))
    return merged


EN = _merged("en")
RU = _merged("ru")
KEYS = sorted(EN)


def placeholders(template: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name)


def tags(template: str) -> Counter[tuple[str, str]]:
    return Counter((slash, name.lower()) for slash, name in _TAG.findall(template))


def chinese_terms(text: str) -> set[str]:
    return set(_CHINESE_TERM.findall(text))


def words(template: str) -> str:
    """The template without markup and placeholders: what is left to translate."""
    return re.sub(r"\{[^{}]*\}", " ", _TAG.sub(" ", template))


@pytest.mark.parametrize("file_name", EN_FILES)
def test_every_english_file_has_a_russian_twin_with_the_same_keys(file_name: str) -> None:
    english = _load("en", file_name)
    russian = _load("ru", file_name)

    assert list(russian) == list(english), "same keys, in the same order"


@pytest.mark.parametrize("file_name", EN_FILES)
def test_russian_files_are_pretty_printed(file_name: str) -> None:
    path = LOCALES / "ru" / file_name
    text = path.read_text("utf-8")

    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("key", KEYS)
def test_placeholders_match(key: str) -> None:
    assert placeholders(RU[key]) == placeholders(EN[key])


@pytest.mark.parametrize("key", KEYS)
def test_html_tags_match(key: str) -> None:
    assert tags(RU[key]) == tags(EN[key])


@pytest.mark.parametrize("key", KEYS)
def test_chinese_platform_terms_are_kept(key: str) -> None:
    missing = chinese_terms(EN[key]) - chinese_terms(RU[key])

    assert not missing, f"{key}: Chinese terms missing from the Russian text: {missing}"


@pytest.mark.parametrize("key", KEYS)
def test_text_is_translated_unless_language_neutral(key: str) -> None:
    if key in LANGUAGE_NEUTRAL:
        return
    assert RU[key] != EN[key], f"{key} is not translated"
    if _LATIN_WORD.search(words(EN[key])):
        assert _CYRILLIC.search(RU[key]), f"{key} has no Russian words"


def test_language_neutral_allow_list_is_current() -> None:
    """Every allow-listed key exists and really is the same in both languages."""
    for key in LANGUAGE_NEUTRAL:
        assert RU.get(key) == EN.get(key), key


@pytest.mark.parametrize(
    "key", [key for key in KEYS if any(fnmatch(key, pattern) for pattern in BUTTON_PATTERNS)]
)
def test_button_labels_fit_a_phone(key: str) -> None:
    assert 1 <= len(RU[key]) <= MAX_BUTTON_LABEL, f"{key}: {RU[key]!r}"


@pytest.mark.parametrize("key", [key for key in KEYS if key.startswith("cmd_")])
def test_command_descriptions_fit_telegram_limits(key: str) -> None:
    assert 1 <= len(RU[key]) <= 256


def test_language_is_named_in_russian() -> None:
    assert RU["language_name"] == "Русский"
