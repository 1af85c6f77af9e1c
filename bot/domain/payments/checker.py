"""Is this payment request safe? Text (and QR codes) in, a verdict with its reasons out.

Rules decide: approved only when the money stays in the 1688 checkout, conditional for a
documented company-to-company transfer, high risk as soon as anything points at a person,
a wallet, crypto or a story for paying outside. Any high-risk signal beats approving words
in the same message, and instructions written inside the message change nothing.
Explanations live in the catalogues (`pay_signal_<code>`, `pay_rule_<code>`,
`pay_advice_<code>`); this module returns codes only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

from bot.domain.payments.escalation import MODEL_SIGNAL
from bot.domain.payments.links import LinkKind, classify_payload, find_links
from bot.domain.payments.model import PaymentCheck, Signal, Verdict
from bot.domain.payments.numbers import (
    find_card_number,
    find_crypto_address,
    find_phone_as_wallet,
)
from bot.domain.payments.payees import Payee, find_payee
from bot.domain.payments.phrases import phrase_signals
from bot.domain.payments.signals import (
    DECLINE_REPLIES_ZH,
    RANK,
    REPLY_PRIORITY,
    SPECS,
    VERDICT_ADVICE,
)
from bot.domain.payments.slots import (
    SIGNAL_SLOTS,
    decide,
    is_buyer_question,
    looks_like_shipping_notice,
    missing,
    slots_from,
    vocabulary_signals,
)
from bot.domain.payments.text import (
    MAX_EVIDENCE,
    evidence,
    has_cyrillic,
    is_negated,
    lower_in_place,
    mask_evidence,
    normalise,
)

__all__ = [
    "PAYEE_ANSWERS",
    "PaymentCheck",
    "Signal",
    "Verdict",
    "advice_codes",
    "bench_classifier",
    "check_to_json",
    "classify_payment",
    "findings",
    "looks_like_payment_talk",
    "looks_like_shipping_notice",
    "signal_codes",
    "with_answer",
]

# A screenshot rarely holds more than a few QR codes; more is not a payment request.
MAX_QR_PAYLOADS = 8

_PAYMENT_TALK = re.compile(
    r"付款|支付|货款|打款|汇款|转账|转款|收款|定金|订金|尾款|预付|余款|款项|全款|首款|账户|账号|帐户|"
    r"卡号|银行|对公|对私|私账|拍下|改价|跨境宝|信保|付钱|打钱|转钱|给钱|汇钱|付给|转给|打到|转到|"
    r"付到|收钱|结算|结账|开票|税|收款码|"
    r"(?<![a-z])(?:pay|paid|paying|payment|payments|payee|transfer|wire|remit\w*|deposit|"
    r"checkout|invoice|bank|account|acct|alipay|wechat\s*pay|usdt|crypto|bitcoin|paypal|"
    r"western\s*union|moneygram|zelle|venmo|payoneer|escrow|trade\s*assurance|beneficiary|iban|"
    r"swift|t/t|balance\s*payment|cash\s*app|zfb)(?![a-z])",
    re.IGNORECASE,
)
# Russian payment talk; only tried on text with Cyrillic in it.
_PAYMENT_TALK_RU = re.compile(
    r"(?<![а-я])(?:оплат|плат[еиія]|заплат|перевод|перевест|переведи|перечисл|реквизит|сч[её]т|"
    r"деньг|денег|наличн|предоплат|аванс|сбп|сбер|тинько|втб|"
    r"юmoney|юмани|qiwi|крипт|биткоин|вичат|алипе|кошел|налог)",
    re.IGNORECASE,
)
# Words that split one payment into parts ("定金…尾款", "the rest…").
_SPLIT_MARKER = re.compile(
    r"定金|订金|尾款|余款|首款|一部分|剩下|剩余|其余|一半"
    r"|(?<![a-z])(?:deposit|balance|the\s*rest|remaining|half|part\s*of)(?![a-z])"
    r"|(?<![а-я])(?:предоплат|аванс|остаток|остальн|половин|част[ьи](?![а-я]))",
    re.IGNORECASE,
)
# Signals that mean the money (or part of it) goes somewhere other than the checkout.
_OUTSIDE_PAYEES = frozenset(
    {
        "bank_card_number",
        "personal_account",
        "personal_name_payee",
        "phone_as_account",
        "qr_payment_code",
        "collection_code",
        "wallet_transfer",
        "crypto_payment",
        "transfer_service",
        "third_party_payee",
        "off_platform_payment",
    }
)
_TEXT_LINK_SIGNALS = {
    LinkKind.PAYMENT_CODE: "collection_code",
    LinkKind.CHAT_APP: "off_platform_chat",
    LinkKind.WORLDFIRST: "worldfirst_link",
}
_QR_SIGNALS = {
    LinkKind.PAYMENT_CODE: "qr_payment_code",
    LinkKind.CHAT_APP: "off_platform_chat",
    LinkKind.WORLDFIRST: "worldfirst_link",
    LinkKind.OTHER: "off_platform_link",
}

Found = dict[str, str]  # signal code -> evidence

# A price cut: "If a discount was agreed, ask for 改价" only makes sense next to one.
_DISCOUNT = re.compile(
    r"便宜|优惠|折扣|打\d*折|\d+(?:\.\d+)?折|让利|降价|减价|少收|少算|省税|"
    r"%\s*off|(?<![a-z])(?:discount\w*|cheaper|rebate|price\s*cut)"
    r"|(?<![а-я])(?:скидк|дешевле|уступ)",
    re.IGNORECASE,
)
# Findings that are a discount story by themselves.
_DISCOUNT_SIGNALS = frozenset({"discount_pretext", "tax_pretext"})
# Advice that only fits when the message gives it something to act on.
_ADVICE_NEEDS = {"ask_for_modified_price": "discount", "report_to_1688": "seller"}
MENTIONS = ("discount", "seller")


def classify_payment(text: str, *, qr_payloads: Sequence[str] = ()) -> PaymentCheck:
    """The verdict on a supplier's payment request, with the evidence behind it."""
    normal = normalise(text) if isinstance(text, str) else ""
    payment_talk = _is_payment_talk(normal)
    found: Found = phrase_signals(normal)
    _number_signals(normal, found)
    _payee_signals(normal, found)
    _link_signals(normal, found, payment_talk=payment_talk)
    _qr_signals(qr_payloads, found, payment_talk=payment_talk)
    _split_signal(normal, found)
    lowered = lower_in_place(normal)
    read = dict(found)  # every reading fills the slots; findings shown are fewer
    for code, span in vocabulary_signals(lowered, found.keys() - {"corporate_transfer"}).items():
        quoted = evidence(normal, *span)
        read.setdefault(code, quoted)
        if code in SPECS and code not in found and _adds_something(found, code, quoted):
            found[code] = quoted
    buyer = is_buyer_question(lowered) and not qr_payloads and not found.keys() & _CONCRETE
    mentions = _mentions(normal, qr_payloads)
    return _check_from(found, read=read, buyer_question=buyer, mentions=mentions)


def _mentions(normal: str, qr_payloads: Sequence[str]) -> frozenset[str]:
    """What the advice may lean on: a discount named in the message, and a seller the buyer
    can report (a genuine 1688 or Alibaba link in the text or a QR code; a chat handle or a
    card number names nobody 1688 can act on)."""
    mentions: set[str] = set()
    if _DISCOUNT.search(normal) is not None:
        mentions.add("discount")
    payloads = [normalise(p) for p in islice(qr_payloads, MAX_QR_PAYLOADS) if isinstance(p, str)]
    platform = any(link.kind is LinkKind.PLATFORM for link in find_links(normal)) or any(
        classify_payload(payload) is LinkKind.PLATFORM for payload in payloads if payload
    )
    if platform:
        mentions.add("seller")
    return frozenset(mentions)


# Account numbers, wallet phones, addresses or links: a message holding those is a
# supplier's instruction, even when it is phrased as a question.
_CONCRETE = frozenset(
    {
        "bank_card_number",
        "phone_as_account",
        "crypto_payment",
        "collection_code",
        "platform_link",
        "off_platform_link",
        "off_platform_chat",
        "worldfirst_link",
    }
)


def _adds_something(found: Found, code: str, quoted: str) -> bool:
    """A vocabulary finding is shown when it fills a slot value no finding has filled yet
    and its words are not quoted twice already: each quote stands for at most two slots."""
    value = SIGNAL_SLOTS[code]
    if any(SIGNAL_SLOTS.get(other) == value for other in found):
        return False
    return sum(shown == quoted for shown in found.values()) < 2


# What an answer to the checker's one question adds: the payee it names.
_PAYEE_ANSWERS = {"company": "corporate_transfer", "person": "personal_account"}
PAYEE_ANSWERS = ("company", "person", "not_said")


def findings(check: PaymentCheck) -> dict[str, str]:
    """Signal code -> evidence of a check, the form `with_answer` takes back."""
    return {signal.code: signal.evidence for signal in check.signals}


def with_answer(
    found: Mapping[str, str], slot: str, value: str, mentions: Iterable[str] = ()
) -> PaymentCheck:
    """The check again, once the buyer answered the question its `ask` named.

    "A person" makes a bank transfer high risk, "Company" keeps it conditional, "Not said"
    leaves it as it was; the question is not asked twice. Unknown codes are dropped;
    `mentions` are the first check's (its message is not kept).
    """
    codes = {code: quoted for code, quoted in found.items() if code in SPECS}
    added = _PAYEE_ANSWERS.get(value) if slot == "payee" else None
    if added is not None:
        codes.setdefault(added, "")
    known = frozenset(mention for mention in mentions if mention in MENTIONS)
    return replace(_check_from(codes, mentions=known), ask=None)


def restored(
    verdict: Verdict, codes: Sequence[str], text: str = "", qr_payloads: Sequence[str] = ()
) -> PaymentCheck:
    """A check given earlier, again, for its details: the verdict and signal codes it had
    (as recorded), quoted from `text` where the checker still finds them there.

    The verdict is the recorded one, never re-decided: a model's or the buyer's answer may
    have raised it. The advice and the reply follow that verdict as they did the first time.
    """
    again = classify_payment(text, qr_payloads=qr_payloads) if text or qr_payloads else None
    quotes = findings(again) if again is not None else {}
    found = {code: quotes.get(code, "") for code in codes if code in SPECS}
    model = [Signal(code, "", verdict) for code in codes if code == MODEL_SIGNAL]
    mentions = again.mentions if again is not None else frozenset()
    check = _check_from(found, mentions=mentions, verdict=verdict)
    return replace(check, signals=check.signals + tuple(model), ask=None)


def looks_like_payment_talk(text: str) -> bool:
    """Does this free text talk about paying, accounts or transfers at all?

    Payment words answer at once; otherwise the text is payment talk exactly when the
    checker has something to say about it ("加v私聊下单" names no payment, but matters).
    """
    normal = normalise(text) if isinstance(text, str) else ""
    if _is_payment_talk(normal):
        return True
    return bool(normal) and classify_payment(text).verdict is not Verdict.UNCLEAR


def check_to_json(check: PaymentCheck, explain: Callable[[str], str]) -> dict[str, Any]:
    """The `check-payment --json` shape of DESIGN.md; `explain` turns catalogue keys into text."""
    return {
        "verdict": check.verdict.value,
        "signals": [
            {
                "code": signal.code,
                "evidence": signal.evidence,
                "explanation": explain(f"pay_signal_{signal.code}"),
                "slot": signal_slot(signal.code),
            }
            for signal in check.signals
        ],
        "advice": [explain(f"pay_advice_{code}") for code in check.advice],
        "slots": check.slots.to_json(),
        "ask": check.ask,
    }


def signal_slot(code: str) -> str | None:
    """The slot a signal code fills ("payee", "channel", …), or None for the AI helper's."""
    slot = SIGNAL_SLOTS.get(code)
    return slot[0] if slot is not None else None


def bench_classifier(messages: Sequence[str], seconds: float = 2.0) -> float:
    """Messages classified per second on this core, cycling through `messages`."""
    if not messages:
        return 0.0
    classify_payment(messages[0])  # warm-up: first-call costs are not throughput
    done, started = 0, time.perf_counter()
    while True:
        for message in messages:
            classify_payment(message)
        done += len(messages)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return done / elapsed


def signal_codes() -> tuple[str, ...]:
    """Every signal code the checker can produce (each has catalogue texts)."""
    return tuple(SPECS)


def advice_codes() -> tuple[str, ...]:
    """Every advice code the checker can produce (each has a catalogue text)."""
    codes = [code for spec in SPECS.values() for code in spec.advice]
    codes += [code for advice in VERDICT_ADVICE.values() for code in advice]
    return tuple(dict.fromkeys(codes))


def _is_payment_talk(normal: str) -> bool:
    if _PAYMENT_TALK.search(normal) is not None:
        return True
    return has_cyrillic(normal) and _PAYMENT_TALK_RU.search(normal) is not None


def _number_signals(text: str, found: Found) -> None:
    finders = (
        ("bank_card_number", find_card_number),
        ("phone_as_account", find_phone_as_wallet),
        ("crypto_payment", find_crypto_address),
    )
    for code, finder in finders:
        span = finder(text)
        if span is not None:
            found.setdefault(code, evidence(text, *span))


def _payee_signals(text: str, found: Found) -> None:
    payee = find_payee(text)
    if payee is None:
        return
    kind, span = payee
    code = "personal_name_payee" if kind is Payee.PERSON else "corporate_transfer"
    found.setdefault(code, evidence(text, *span))


def _link_signals(text: str, found: Found, *, payment_talk: bool) -> None:
    for link in find_links(text):
        code = _TEXT_LINK_SIGNALS.get(link.kind)
        if code is None and payment_talk:
            # A bare link is only a payment route when the message talks about paying.
            code = "platform_link" if link.kind is LinkKind.PLATFORM else "off_platform_link"
        if code is not None:
            found.setdefault(code, evidence(text, link.start, link.end))


def _qr_signals(payloads: Iterable[str], found: Found, *, payment_talk: bool) -> None:
    for payload in islice(payloads, MAX_QR_PAYLOADS):
        normal = normalise(payload) if isinstance(payload, str) else ""
        if not normal:
            continue
        quoted = mask_evidence(normal)[:MAX_EVIDENCE].strip()
        kind = classify_payload(normal)
        code = _QR_SIGNALS.get(kind) if kind is not None else None
        if kind is LinkKind.PLATFORM and payment_talk:
            code = "platform_link"  # a 1688 link is fine, and says where to pay
        if code is not None:
            found.setdefault(code, quoted)
        if find_crypto_address(normal) is not None:
            found.setdefault("crypto_payment", quoted)
        if find_card_number(normal) is not None:
            found.setdefault("bank_card_number", quoted)


def _split_signal(text: str, found: Found) -> None:
    """Part in the checkout, part to a person: the platform part is only a fig leaf."""
    if "split_payment" in found or not found.keys() & _OUTSIDE_PAYEES:
        return
    on_platform = any(SPECS[code].verdict is Verdict.APPROVED for code in found)
    marker = _SPLIT_MARKER.search(text)
    if on_platform and marker and not is_negated(text, marker.start()):
        found["split_payment"] = evidence(text, marker.start(), marker.end())


def _check_from(
    found: Found,
    *,
    read: Found | None = None,
    buyer_question: bool = False,
    mentions: frozenset[str] = frozenset(),
    verdict: Verdict | None = None,
) -> PaymentCheck:
    codes = sorted(found, key=RANK.__getitem__)
    slots = slots_from(found if read is None else read, buyer_question=buyer_question)
    verdict = decide(slots) if verdict is None else verdict
    if buyer_question:
        # The buyer's own question names no supplier and no request: nothing to report.
        return PaymentCheck(
            verdict=verdict,
            signals=(),
            advice=VERDICT_ADVICE[verdict],
            decline_reply_zh=None,
            slots=slots,
        )
    if slots.on_platform_page and verdict is Verdict.APPROVED and read is not None:
        # A bank transfer or PayPal picked on the platform's own payment page is the
        # checkout: the transfer findings are read away, the page step is what counts.
        codes = [code for code in codes if SPECS[code].verdict is Verdict.APPROVED]
        codes = ["platform_payment_step", *(c for c in codes if c != "platform_payment_step")]
        found = {**found, "platform_payment_step": read["platform_payment_step"]}
    signals = tuple(Signal(code, found[code], SPECS[code].verdict) for code in codes)
    # Advice comes from the signals that decided the verdict: praise for the checkout
    # wording would be wrong next to a request to pay a private card.
    deciding = [code for code in codes if SPECS[code].verdict is verdict]
    advice = [item for code in deciding for item in SPECS[code].advice]
    advice += VERDICT_ADVICE[verdict]
    if found.keys() & _DISCOUNT_SIGNALS:
        mentions |= {"discount"}
    if "platform_link" in found:
        mentions |= {"seller"}
    # Boilerplate that does not apply is never shown: no 改价 without a discount, no report
    # without a seller to report.
    advice = [item for item in advice if _ADVICE_NEEDS.get(item, "") in mentions | {""}]
    return PaymentCheck(
        verdict=verdict,
        signals=signals,
        advice=tuple(dict.fromkeys(advice)),
        decline_reply_zh=None if verdict is Verdict.APPROVED else _reply(deciding),
        slots=slots,
        ask=missing(slots, verdict),
        mentions=mentions,
    )


def _reply(deciding: Sequence[str]) -> str:
    families = {SPECS[code].reply for code in deciding}
    family = next((name for name in REPLY_PRIORITY if name in families), "generic")
    return DECLINE_REPLIES_ZH[family]
