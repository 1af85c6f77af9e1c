"""/spec's wording the glossary did not know, translated by the model and read back.

Two requests, each guarded by bot.adapters.llm (schema, deadline, budget):
1. `translate_spec`: only the items the glossary kept as typed, fenced as data, with the
   question each one answers as trusted context → one Chinese line per item;
2. `back_translate_spec`: the Chinese lines that passed the number check, fenced, into the
   buyer's language, without the buyer's words: a true back-translation, so a wrong
   Chinese reads wrong instead of being smoothed over by a model that knows the intent.

What may be used is decided by bot.domain.spec.check (pure): glossary lines stay as they
are, numbers must survive, links and markup are refused. When either request gives
nothing, the glossary's result stands alone and the caller says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pydantic

from bot.adapters.llm import LanguageModel, Miss
from bot.adapters.prompts import template
from bot.domain.invisible import strip_invisible
from bot.domain.spec.builder import Spec
from bot.domain.spec.check import (
    MachineTranslation,
    Wording,
    check_translation,
    unknown_wording,
    with_machine_translations,
)

# Sent in one request, the Chinese must fit the model's output budget (900 tokens by
# default, roughly as many Chinese characters as this many typed ones), and the readings
# and flags must stay a few messages long; wording past either limit stays as typed,
# exactly as without the model.
MAX_SENT_CHARS = 1200
MAX_SENT_ITEMS = 12
# A back-translation is shown under the buyer's words; more than this is the model talking.
MAX_BACK_CHARS = 400
LANGUAGE_NAMES = {"en": "English", "ru": "Russian"}
# What each question asks, for the model's context (trusted: our words, not the buyer's).
FIELD_HINTS = {
    "product": "product name",
    "material": "material and grade",
    "weight": "weight or fabric weight (GSM)",
    "dimensions": "dimensions",
    "colour": "colour and finish",
    "quantity": "order quantity",
    "packaging": "packaging",
    "labelling": "labels, logo and printing",
    "deadline": "lead time / shipping date",
}


class ChineseSpecLines(pydantic.BaseModel):
    lines: list[str] = pydantic.Field(
        description="One Simplified Chinese line per numbered input line, same order."
    )


class BackTranslatedLines(pydantic.BaseModel):
    lines: list[str] = pydantic.Field(
        description="One line in the requested language per numbered Chinese line, same order."
    )


@dataclass(frozen=True)
class AssistedSpec:
    spec: Spec  # what to send: the glossary's lines with the accepted machine items
    translations: tuple[MachineTranslation, ...] = ()  # accepted and refused, to show
    miss: Miss | None = None  # the model was asked and gave nothing usable


def wants_model(spec: Spec) -> bool:
    """Whether the model has anything to do: the glossary left some wording as typed."""
    return bool(unknown_wording(spec))


async def assist_spec(
    model: LanguageModel | None, spec: Spec, *, language: str, user_id: int | None
) -> AssistedSpec:
    wordings = _within_budget(unknown_wording(spec))
    if model is None or not wordings:
        return AssistedSpec(spec)
    chinese = await _ask_lines(
        model,
        "translate_spec",
        ChineseSpecLines,
        len(wordings),
        user_id=user_id,
        values={"fields": _numbered(FIELD_HINTS.get(w.field, w.field) for w in wordings)},
        untrusted={"lines": _numbered(w.typed for w in wordings)},
    )
    if isinstance(chinese, Miss):
        return AssistedSpec(spec, miss=chinese)
    first = [check_translation(w, zh) for w, zh in zip(wordings, chinese, strict=True)]
    readable = [found for found in first if found.readable]
    if not readable:  # nothing worth reading back: say why each was refused
        return AssistedSpec(spec, tuple(first))
    back = await _ask_lines(
        model,
        "back_translate_spec",
        BackTranslatedLines,
        len(readable),
        user_id=user_id,
        values={"language": LANGUAGE_NAMES.get(language, "English")},
        untrusted={"chinese": _numbered(found.zh for found in readable)},
    )
    if isinstance(back, Miss):
        # Chinese nobody could read back is Chinese the buyer cannot check: not used.
        return AssistedSpec(spec, miss=back)
    # The readings come in the order of the readable lines they read.
    readings = iter(back)
    final = tuple(
        check_translation(found.wording, found.zh, _cut(next(readings), found.wording))
        if found.readable
        else found
        for found in first
    )
    return AssistedSpec(with_machine_translations(spec, final), final)


async def _ask_lines(
    model: LanguageModel,
    name: str,
    schema: type[ChineseSpecLines] | type[BackTranslatedLines],
    count: int,
    *,
    user_id: int | None,
    values: dict[str, str],
    untrusted: dict[str, str],
) -> list[str] | Miss:
    """The model's lines, cleaned, or why there are none. Lines that do not pair up with
    what was sent cannot be trusted to say which is which: no answer."""
    outcome = await model.ask(
        template(name), schema, user_id=user_id, values=values, untrusted=untrusted
    )
    if outcome.answer is None:
        return outcome.miss or Miss.FAILED
    lines = outcome.answer.lines
    if len(lines) != count:
        return Miss.FAILED
    return [_clean(line, number) for number, line in enumerate(lines, start=1)]


def _within_budget(wordings: tuple[Wording, ...]) -> tuple[Wording, ...]:
    kept: list[Wording] = []
    room = MAX_SENT_CHARS
    for wording in wordings[:MAX_SENT_ITEMS]:
        room -= len(wording.typed)
        if room < 0:
            break
        kept.append(wording)
    return tuple(kept)


def _numbered(texts: Iterable[str]) -> str:
    return "\n".join(f"{number}. {text}" for number, text in enumerate(texts, start=1))


_SPACE = re.compile(r"\s+")


def _clean(text: str, number: int) -> str:
    """One line of model text: no invisible characters, no line breaks (a spec line is one
    line), and without the number we put in front if the model echoed it."""
    line = _SPACE.sub(" ", strip_invisible(text)).strip()
    echoed = re.match(rf"{number}\s*[.)、．](?!\d)\s*", line)
    return line[echoed.end() :] if echoed else line


def _cut(text: str, wording: Wording) -> str:
    """A reading is about as long as the words it reads; the cap keeps every line of the
    summary well inside one Telegram message."""
    limit = min(MAX_BACK_CHARS, 3 * len(wording.typed) + 40)
    return text if len(text) <= limit else text[: limit - 1] + "…"
