"""The payment verdict explained by the model, which may add risks but never remove one.

The rules' verdict and findings go in as trusted context, the supplier's message as fenced
data. What comes back is data, checked before it is used: added risks must quote the
message (bot.domain.payments.escalation), payment details must be words of the message,
and concerns are codes from a closed list. Under a risky verdict (high risk or
conditional) none of the model's prose is shown: only what our own catalogue templates
render from those structured fields, so no synonym, language or invisible-character trick
in its words can reach the buyer next to a warning. Elsewhere its explanation is
normalised and capped (bot.render.model_text) before any check or display.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

import pydantic

from bot.adapters.llm import LanguageModel, Miss
from bot.adapters.prompts import template
from bot.domain.masking import mask_numbers
from bot.domain.payments.checker import PaymentCheck, Verdict
from bot.domain.payments.escalation import AddedRisk, escalate, reassures
from bot.render.model_text import cap_model_text, normalise_model_text

MAX_EXPLANATION = 1500
MAX_RISKS = 5
MAX_DETAIL = 120
# Verdicts under which the model's own words are never shown.
RISKY_VERDICTS = frozenset({Verdict.HIGH_RISK, Verdict.CONDITIONAL})

Concern = Literal[
    "pay_outside_order",
    "private_account",
    "settle_in_chat",
    "qr_code",
    "urgency",
    "impersonation",
    "tax_excuse",
    "instructions_to_helper",
    "other",
]
CONCERNS: tuple[str, ...] = get_args(Concern)


class ModelRisk(pydantic.BaseModel):
    level: Literal["conditional", "high_risk"]
    concern: Concern
    quote: str


class PaymentDetails(pydantic.BaseModel):
    payee_name: str | None
    bank: str | None
    account: str | None
    method: str | None
    amount: str | None


class PaymentReview(pydantic.BaseModel):
    explanation: str
    concerns: list[Concern]
    added_risks: list[ModelRisk]
    payment_details: PaymentDetails


@dataclass(frozen=True)
class AddedFinding:
    level: Verdict  # conditional or high risk
    concern: str  # one of CONCERNS: rendered by the catalogue, never model words
    quote: str  # words of the supplier's message, numbers masked


@dataclass(frozen=True)
class ReviewedCheck:
    check: PaymentCheck  # the rules' check, raised by grounded model risks
    # The model's words, normalised and capped (escape before showing); None under a
    # risky verdict, or when it reassured next to an unclear one, or was empty.
    explanation: str | None
    added: tuple[AddedFinding, ...]  # grounded risks the model added
    details: tuple[tuple[str, str], ...]  # (field, masked value) found in the message
    miss: Miss | None = None
    withheld: bool = False  # the explanation reassured next to a verdict that is not approved
    concerns: tuple[str, ...] = ()  # codes from CONCERNS, in the model's order, no repeats
    shortened: bool = False  # the explanation was cut to MAX_EXPLANATION


async def review_payment(
    model: LanguageModel,
    check: PaymentCheck,
    text: str,
    *,
    language: str,
    user_id: int | None,
    explain: Callable[[str], str],
) -> ReviewedCheck:
    """`explain` turns a signal code into the rules' own words, for the model's context."""
    outcome = await model.ask(
        template("review_payment"),
        PaymentReview,
        user_id=user_id,
        values={
            "language": language,
            "verdict": check.verdict.value,
            "findings": _findings(check, explain),
        },
        untrusted={"message": text},
    )
    if outcome.answer is None:
        return ReviewedCheck(check, None, (), (), miss=outcome.miss)
    review = outcome.answer
    risks = review.added_risks[:MAX_RISKS]
    raised = escalate(check, text, [AddedRisk(Verdict(r.level), r.quote) for r in risks])
    kept_quotes = {signal.evidence for signal in raised.signals[len(check.signals) :]}
    added: dict[str, AddedFinding] = {}
    for risk in risks:
        quote = mask_numbers(risk.quote.strip())
        if quote in kept_quotes and quote not in added:
            added[quote] = AddedFinding(Verdict(risk.level), risk.concern, quote)
    explanation, shortened = cap_model_text(review.explanation, MAX_EXPLANATION)
    # A number the model repeats is masked like a quote.
    explanation = mask_numbers(explanation) if explanation else explanation
    # Calling a risky payment safe contradicts the rules: most likely the message steered
    # it. The check reads the normalised text, but it is only a note for the buyer: under
    # a risky verdict the prose is dropped whatever it says.
    withheld = bool(explanation) and raised.verdict is not Verdict.APPROVED
    withheld = withheld and reassures(explanation)
    shown = explanation if explanation and not withheld else None
    if raised.verdict in RISKY_VERDICTS:
        shown, shortened = None, False
    return ReviewedCheck(
        raised,
        shown,
        tuple(added.values()),
        _details(review.payment_details, text),
        withheld=withheld,
        concerns=tuple(dict.fromkeys(review.concerns)),
        shortened=shortened,
    )


def _findings(check: PaymentCheck, explain: Callable[[str], str]) -> str:
    if not check.signals:
        return "- nothing specific"
    return "\n".join(f"- {explain(signal.code)}" for signal in check.signals)


def _details(details: PaymentDetails, text: str) -> tuple[tuple[str, str], ...]:
    """Each value the model read, kept only if it is words of the message (compared
    normalised and without spaces), masked and capped."""
    found = []
    compact = "".join(normalise_model_text(text).split())
    for field, value in details.model_dump().items():
        if not isinstance(value, str):
            continue
        cleaned = normalise_model_text(value)
        if cleaned and len(cleaned) <= MAX_DETAIL and "".join(cleaned.split()) in compact:
            found.append((field, mask_numbers(cleaned)))
    return tuple(found)
