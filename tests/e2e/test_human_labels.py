"""Human labels everywhere (issue 17): no code, key or English word reaches a buyer.

Ann (English) and Boris (Russian) walk every flow of the one-screen table. Everything the
bot shows them on the way, every text, caption and button as it stood after each step, is
read as a buyer would: a snake_case code (`source_factory`), a catalogue key
(`sup_card_title`) or an unfilled `{placeholder}` is a bug in either language, and in
Boris's transcript so is an English word. What the buyer typed themselves may come back
(a quoted payment message), and so may links, /commands, codes with digits in them and
the names of brands and platforms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pytest

from bot.clock import Clock
from bot.render.i18n import keys as catalogue_keys
from tests.conftest import ChatUser
from tests.e2e.test_one_screen import FLOWS, Say, Step, Tap, walk
from tests.e2e.test_suppliers import OFFER_LINK

# What sits one tap behind a first screen, walked here as well.
BEHIND_A_TAP: dict[str, Sequence[Step]] = {
    "scorecard, details": [*FLOWS["scorecard"], Tap("Details")],
    "scorecard, details and back": [*FLOWS["scorecard"], Tap("Details"), Tap("Back")],
    "saved scorecard, details": [
        *FLOWS["scorecard"],
        Say("/suppliers"),
        Tap("653487692354"),
        Tap("Details"),
    ],
    "scorecard, every question skipped": [
        Say("/check " + OFFER_LINK),
        Tap("Check this supplier"),
        *[Tap("Don't know")] * 11,
        Tap("Details"),
    ],
}
ALL_FLOWS = {**FLOWS, **BEHIND_A_TAP}

# Names that stay as they are in Russian: platforms, apps, brands, units, currencies.
_NAMES = (
    "Sourcing Guard",  # the bot's own name
    "Alibaba Taobao Tmall Alipay WeChat AliWangWang Wangwang AliExpress Telegram",
    "WhatsApp WorldFirst Visa Mastercard JCB Google Voice Lens Amazon eBay",
    "Nike Adidas Disney Apple iPhone Gucci",
    "USDT TRC ERC BTC ETH USD CNY RMB EUR pcs cm mm kg SGS ZTO YTO STO Kuaidi",
    "SIM SMS VoIP UTC GMT",
    "Pantone FBA GSM OPP",  # a colour system, Amazon's fulfilment, paper weight, bag film
    "English",  # the language picker names each language in itself
)
ALLOWED_LATIN = frozenset(word.lower() for names in _NAMES for word in names.split())

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|cn|net|org|top|io)\b\S*", re.I)
_COMMAND = re.compile(r"(?<![\w/])/[a-z_]+\b")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")
# A run of Latin letters with anything word-like around it: codes such as `MA2D12345W` or
# `AJ1` come whole and are skipped for their digits.
_TOKEN = re.compile(r"[A-Za-z0-9_'’-]+")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# Latin letters written into a Chinese term (带logo, T恤, A货) are part of that term: sellers
# write them so, and the bot quotes the term as the buyer will meet it.
_IN_CHINESE_TERM = re.compile(r"(?<=[\u4e00-\u9fff])[A-Za-z]+|[A-Za-z]+(?=[\u4e00-\u9fff])")


@dataclass(frozen=True)
class Transcript:
    shown: list[str]  # every text, caption and button label, as it stood after each step
    typed: list[str]  # what the buyer typed


def _seen(user: ChatUser) -> list[str]:
    shown = []
    for message in user.sandbox.bot_messages(user.user_id):
        shown.append(message.text or message.caption or "")
        rows = (message.reply_markup or {}).get("inline_keyboard") or []
        shown.extend(button["text"] for row in rows for button in row)
    return shown


async def _transcripts(
    ann: ChatUser, boris: ChatUser, steps: Sequence[Step], clock: Clock
) -> dict[str, Transcript]:
    # The buyers' own names come back in a greeting.
    english, russian = Transcript([], [ann.first_name]), Transcript([], [boris.first_name])
    for step in steps:
        await walk(ann, boris, [step], clock)
        english.shown.extend(_seen(ann))
        russian.shown.extend(_seen(boris))
        if isinstance(step, Say):
            english.typed.append(step.text)
            russian.typed.append(step.ru or step.text)
    return {"en": english, "ru": russian}


def _readable(text: str, typed: Iterable[str]) -> str:
    """The text without what may be there as it is: the buyer's words, links, commands."""
    for said in sorted(typed, key=len, reverse=True):
        for piece in sorted({said, *re.findall(r"\w+", said)}, key=len, reverse=True):
            if len(piece) > 2:  # whole words only: "/pay" leaves "Alipay" alone
                text = re.sub(rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])", " ", text)
    return _COMMAND.sub(" ", _URL.sub(" ", text))


def machine_words(transcript: Transcript) -> list[str]:
    """snake_case codes, catalogue keys and unfilled placeholders the buyer would see."""
    # Keys without an underscore ("help", "privacy") are plain words; the English check
    # finds them in a Russian transcript.
    keys = {key for key in catalogue_keys() if "_" in key}
    found = []
    for text in transcript.shown:
        readable = _readable(text, transcript.typed)
        found += _SNAKE.findall(readable)
        found += [word for word in re.findall(r"[a-z][a-z0-9_]+", readable) if word in keys]
        found += _PLACEHOLDER.findall(readable)
    return sorted(set(found))


def english_words(transcript: Transcript) -> list[str]:
    """Latin-letter words of three letters or more that are not a name, unit or code."""
    found = []
    for text in transcript.shown:
        readable = _IN_CHINESE_TERM.sub(" ", _readable(text, transcript.typed))
        for token in _TOKEN.findall(readable):
            if any(char.isdigit() for char in token):
                continue  # a model code, an order number, a credit code
            for word in _LATIN_WORD.findall(token):
                if word.lower() not in ALLOWED_LATIN:
                    found.append(word)
    return sorted(set(found))


@pytest.mark.parametrize("flow", list(ALL_FLOWS))
async def test_every_flow_speaks_in_human_labels(
    flow: str, ann: ChatUser, boris: ChatUser, clock: Clock
) -> None:
    transcripts = await _transcripts(ann, boris, ALL_FLOWS[flow], clock)

    problems = {
        "en codes": machine_words(transcripts["en"]),
        "ru codes": machine_words(transcripts["ru"]),
        "ru English": english_words(transcripts["ru"]),
    }
    print(f"\nLABELS {flow} {problems}")
    assert not any(problems.values()), problems


def test_the_checks_catch_codes_keys_placeholders_and_english() -> None:
    leaky = Transcript(
        shown=[
            "Shop badges: super_factory; factory_audit",
            "sup_card_title",
            "Итог: {rating}",
            "1688 shop shop1432567891234 · Supplier check",
        ],
        typed=[],
    )

    assert machine_words(leaky) == ["factory_audit", "sup_card_title", "super_factory", "{rating}"]
    assert english_words(Transcript(leaky.shown[-1:], [])) == ["Supplier", "check", "shop"]


def test_what_the_buyer_typed_links_and_commands_may_come_back() -> None:
    echoed = Transcript(
        shown=[
            "«Please send USDT to wx_1688boss» — /pay, https://detail.1688.com/offer/1.html",
            "Код 91330782MA2D12345W, модель AJ1, оплата через Alipay",
        ],
        typed=["/pay Please send USDT to wx_1688boss"],
    )
    paid = Transcript(shown=["Платите через Alipay"], typed=["/pay"])

    assert machine_words(echoed) == []
    assert english_words(echoed) == []
    assert english_words(paid) == [], "a typed word is taken out whole, not out of a word"
