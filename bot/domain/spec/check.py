"""Checking a machine translation of the spec: the numbers must survive, the glossary stays.

When the AI helper is configured, /spec asks it to translate only the wording the glossary
kept as typed (items marked UNKNOWN), then asks a second time, without the buyer's words,
what that Chinese says (a back-translation). This module decides, without any I/O, what
of that may reach the supplier:

- **The glossary's lines stay.** Everything the glossary translated is kept exactly: its
  meaning is known, so a model can only make it less certain. The model fills in the
  items the glossary could not read, nothing else; it is never asked to "improve" a line.
- **Numbers are checked, not trusted.** Every number in the buyer's words, with its unit
  (3 mm, 1,5 кг, ５００ｍｌ, 220 V, 5%), must appear in the model's Chinese and in the
  back-translation. Chinese that lost or changed a number, or that carries a link or
  markup the buyer did not write, is not used: the item stays as typed, as without the
  model, and the buyer is told why. A number missing only from the back-translation, or
  one the Chinese added, is flagged for the buyer to look at.
- **Machine wording stays marked.** An accepted item becomes a MACHINE piece: its Chinese
  goes into the message, and the buyer sees their own words next to the back-translation,
  so the summary never claims that every line came from the glossary.

The check looks for numbers that are lost or changed; it is not a parser. A number whose
unit it cannot read on one side still counts as present, so an unusual way of writing a
unit does not throw away a good translation (the back-translation is there to be read).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from bot.domain.invisible import strip_invisible
from bot.domain.spec.builder import MACHINE, UNKNOWN, Piece, Spec, SpecLine

# Units by meaning, in English, Russian and Chinese. A unit is tried only right after a
# number; compound units come before the short ones they begin with (mAh before m).
_UNITS: tuple[tuple[str, str], ...] = (
    (
        "gsm",
        r"gsm|g/m2|gr/m2|г/м2|克/平方米|克/m2|克每平方米|grams? per square met(?:re|er)",
    ),
    ("mah", r"mah|мач|毫安时|毫安"),
    ("kw", r"kw|квт|千瓦|kilowatts?|киловатт(?:а|ов)?"),
    ("mm", r"mm|мм|毫米|millimet(?:re|er)s?|миллиметр(?:а|ов)?"),
    ("cm", r"cm|см|厘米|公分|centimet(?:re|er)s?|сантиметр(?:а|ов)?"),
    ("ml", r"ml|мл|毫升|millilit(?:re|er)s?|миллилитр(?:а|ов)?"),
    ("mg", r"mg|мг|毫克|milligrams?|миллиграмм(?:а|ов)?"),
    ("kg", r"kgs?|кг|公斤|千克|kilo(?:gram)?s?|килограмм(?:а|ов)?"),
    ("g", r"g|gr|grams?|г|гр|грамм(?:а|ов)?|克"),
    ("months", r"months?|месяц(?:а|ев)?|个月"),
    ("m", r"m|м|米|metres?|meters?|метр(?:а|ов)?"),
    ("l", r"l|л|litres?|liters?|литр(?:а|ов)?|升"),
    # NFKC turns ″ into two primes.
    ("inch", r"inch(?:es)?|\"|′′|дюйм(?:а|ов)?|英寸"),
    ("lb", r"lbs?|pounds?|фунт(?:а|ов)?|磅"),
    ("oz", r"oz|ounces?|унци[йяи]|盎司"),
    ("percent", r"%|percent|per cent|процент(?:а|ов)?"),
    # Upper case only where the lower case is an everyday word ("3 в коробке", "3 a day").
    ("v", r"v|volts?|(?-i:В)|вольт(?:а|ов)?|伏特?"),
    ("w", r"w|watts?|вт|ватт(?:а|ов)?|瓦特?"),
    ("hz", r"hz|hertz|гц|герц(?:а|ев)?|赫兹"),
    ("a", r"(?-i:A)|amps?|amperes?|ампер(?:а|ов)?|安培"),
    ("degrees", r"°c|°|degrees?(?: celsius)?|градус(?:а|ов)?(?: цельсия)?|摄氏度|度"),
    ("pcs", r"pcs?|pieces?|units?|шт\.?|штук[аи]?|件|个|只|枚"),
    ("sets", r"sets?|комплект(?:а|ов)?|набор(?:а|ов)?|套"),
    ("pairs", r"pairs?|пар[аы]?|双|对"),
    ("cartons", r"cartons?|ctns?|коробк(?:а|и|ок)|箱"),
    ("rolls", r"rolls?|рулон(?:а|ов)?|卷"),
    ("days", r"days?|дн(?:я|ей|и|ь)|天"),
    ("weeks", r"weeks?|wks?|недел(?:я|и|ь|ю)|周|星期"),
)
# A unit that ends in a Latin or Cyrillic letter must end there ("3 m" but not "3 mugs").
_WORD = r"0-9A-Za-z\u00c0-\u024f\u0400-\u04ff"
_BOUNDARY = rf"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}]))"
_UNIT_GROUPS = "|".join(f"(?P<u_{code}>{aliases})" for code, aliases in _UNITS)
_AMOUNT = re.compile(
    # 1,000 / 1 000 / 1.000 grouped, else 12 or 1,5 or 1.5.
    r"(?P<n>\d{1,3}(?:[ ,.'’]\d{3})+(?!\d)|\d+(?:[.,]\d+)?)"
    # 1万 is 10,000; 千 is a thousand unless it starts 千克 (kg), 千米, 千瓦 …
    r"(?:\s*(?P<mult>万|千(?![克米瓦伏])))?"
    rf"(?:\s*-?\s*(?:{_UNIT_GROUPS}){_BOUNDARY})?",
    re.IGNORECASE,
)
_GROUPED = re.compile(r"\d{1,3}(?:[ ,.'’]\d{3})+")
_MULTIPLIERS = {"万": 10_000, "千": 1_000}

# Links and markup: never part of a translated specification. (ASCII look-arounds, not \b:
# Chinese characters count as word characters, and 点击https://… must still be caught.)
_URL_CHARS = r"[a-z0-9._~:/?#@!$&*+,;=%()-]*"  # ASCII: Chinese right after a link ends it
_MARKUP = re.compile(
    r"</?[a-z!][^>]*>"
    r"|(?<![a-z0-9+.-])(?:[a-z][a-z0-9+.-]{1,15}://|(?:javascript|data|mailto|tg|tel):)"
    + _URL_CHARS
    # Host labels may mix in Latin, Greek and Cyrillic look-alikes ("аlibaba.com").
    + r"|(?<![a-z0-9\u00c0-\u04ff-])(?:[a-z0-9\u00c0-\u04ff-]+\.)+[a-z\u00c0-\u04ff]{2,24}"
    + r"(?![a-z0-9\u00c0-\u04ff-])(?:/"
    + _URL_CHARS
    + ")?",
    re.IGNORECASE,
)

# Why a machine translation is not used (catalogue `spec_ai_refused_*`).
REFUSED_NUMBERS = "numbers"  # a number of the buyer's words is not in the Chinese
REFUSED_MARKUP = "markup"  # a link or an HTML tag the buyer did not write
REFUSED_LONG = "long"  # far longer than the words it translates: not a translation
REFUSED_EMPTY = "empty"
REFUSED_UNREAD = "unread"  # no back-translation: the buyer could not check it
# Chinese is shorter than English or Russian; more than this is the model talking.
_LONG_FACTOR, _LONG_SLACK = 2, 20


@dataclass(frozen=True)
class Amount:
    """A number as written (with its unit, if any) and what it can mean: "1,000" is a
    thousand in English and one in Russian, so it stands for both."""

    text: str
    values: frozenset[Decimal]
    unit: str | None

    def found_in(self, others: Iterable[Amount]) -> bool:
        return any(
            self.values & other.values
            and (self.unit is None or other.unit is None or self.unit == other.unit)
            for other in others
        )


def amounts(text: str) -> tuple[Amount, ...]:
    """Every number in `text` with its unit; full-width digits and units count (NFKC)."""
    found: list[Amount] = []
    seen: set[tuple[frozenset[Decimal], str | None]] = set()
    for match in _AMOUNT.finditer(unicodedata.normalize("NFKC", text)):
        values = _values(match["n"], match["mult"])
        unit = next((code for code, _ in _UNITS if match.group(f"u_{code}") is not None), None)
        if (values, unit) not in seen:
            seen.add((values, unit))
            found.append(Amount(match.group().strip(), values, unit))
    return tuple(found)


def _values(number: str, multiplier: str | None) -> frozenset[Decimal]:
    readings: list[Decimal] = []
    if _GROUPED.fullmatch(number):
        readings.append(Decimal(re.sub(r"\D", "", number)))
        separators = re.sub(r"\d", "", number)
        if separators in (",", "."):  # 1,500 may be 1.5 (Russian) as well as 1500
            readings.append(Decimal(number.replace(",", ".")))
    else:
        readings.append(Decimal(number.replace(",", ".")))
    factor = _MULTIPLIERS.get(multiplier or "", 1)
    return frozenset(reading * factor for reading in readings)


def missing_amounts(source: str, target: str) -> tuple[Amount, ...]:
    """The numbers of `source` that `target` lost or changed (value or unit)."""
    kept = amounts(target)
    return tuple(amount for amount in amounts(source) if not amount.found_in(kept))


def added_amounts(source: str, target: str) -> tuple[Amount, ...]:
    """The numbers of `target` that `source` does not have: a translation inventing one."""
    return missing_amounts(target, source)


def _markup_added(source: str, target: str) -> bool:
    """Read as the buyer would see it: full-width letters folded (NFKC) and invisible
    characters removed, so "ｔ．ｍｅ" or "t\u200b.me" cannot slip past."""
    written = _seen(source).lower()
    return any(match.group().lower() not in written for match in _MARKUP.finditer(_seen(target)))


def _seen(text: str) -> str:
    return strip_invisible(unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------------------------------
# The wording the glossary could not translate, and what the model made of it


@dataclass(frozen=True)
class Wording:
    """An item the glossary kept as typed: where it sits in the spec, and the words."""

    line: int
    item: int
    field: str
    typed: str


def unknown_wording(spec: Spec) -> tuple[Wording, ...]:
    """Items kept as typed because the glossary did not know them. Items kept as typed for
    another reason (a size without a unit, a date that reads two ways) are left alone: a
    model would only guess what the buyer meant."""
    return tuple(
        Wording(number, index, line.field, item[0].typed)
        for number, line in enumerate(spec.lines)
        for index, item in enumerate(line.items)
        if len(item) == 1 and item[0].key is None and item[0].warning == UNKNOWN
    )


@dataclass(frozen=True)
class MachineTranslation:
    wording: Wording
    zh: str
    back: str | None  # None: not read back (its Chinese was refused first)
    refused: str | None = None
    lost: tuple[Amount, ...] = ()  # numbers missing from the Chinese (then refused)
    lost_in_back: tuple[Amount, ...] = ()
    added: tuple[Amount, ...] = ()  # numbers the Chinese has and the buyer did not write

    @property
    def readable(self) -> bool:
        """The Chinese passed its checks: worth reading back."""
        return self.refused is None

    @property
    def accepted(self) -> bool:
        """Goes to the supplier: passed every check and was read back for the buyer."""
        return self.refused is None and self.back is not None


def check_translation(wording: Wording, zh: str, back: str | None = None) -> MachineTranslation:
    """Judge the model's Chinese for `wording` and, once there is one, its back-translation.

    Called twice: with the Chinese alone (is it worth reading back?), then with `back`."""
    typed = wording.typed
    lost = missing_amounts(typed, zh)
    refused = (
        REFUSED_EMPTY
        if not zh.strip()
        else REFUSED_MARKUP
        if _markup_added(typed, zh)
        else REFUSED_LONG
        if len(zh) > _LONG_FACTOR * len(typed) + _LONG_SLACK
        else REFUSED_NUMBERS
        if lost
        else REFUSED_UNREAD
        if back is not None and not back.strip()
        else None
    )
    checked = MachineTranslation(wording, zh, back, refused, lost, added=added_amounts(typed, zh))
    if back is None or refused is not None:
        return checked
    return replace(checked, lost_in_back=missing_amounts(typed, back))


def with_machine_translations(spec: Spec, translations: Iterable[MachineTranslation]) -> Spec:
    """`spec` with each accepted translation in place of the typed item it translates; the
    glossary's own pieces are untouched."""
    chosen = {
        (found.wording.line, found.wording.item): found for found in translations if found.accepted
    }
    if not chosen:
        return spec
    lines: list[SpecLine] = []
    for number, line in enumerate(spec.lines):
        items = tuple(
            _machine_item(chosen[(number, index)]) if (number, index) in chosen else item
            for index, item in enumerate(line.items)
        )
        lines.append(replace(line, items=items))
    return Spec(tuple(lines))


def _machine_item(found: MachineTranslation) -> tuple[Piece]:
    return (Piece(found.zh, warning=MACHINE, typed=found.wording.typed, back=found.back or ""),)
