"""The payment verdict explained by the model, which may add risks but never remove one.

The rules' verdict and findings go in as trusted context, the supplier's message as fenced
data. What comes back is checked before it is used: added risks must quote the message
(bot.domain.payments.escalation), an explanation that reassures next to a risky verdict is
dropped, and payment details must be words of the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pydantic

from bot.adapters.llm import LanguageModel, Miss
from bot.adapters.prompts import template
from bot.domain.masking import mask_numbers
from bot.domain.payments.checker import PaymentCheck, Verdict
from bot.domain.payments.escalation import AddedRisk, escalate, reassures

MAX_EXPLANATION = 1500
MAX_RISKS = 5


class ModelRisk(pydantic.BaseModel):
    level: Literal["conditional", "high_risk"]
    what: str
    quote: str


class PaymentDetails(pydantic.BaseModel):
    payee_name: str | None
    bank: str | None
    account: str | None
    method: str | None
    amount: str | None


class PaymentReview(pydantic.BaseModel):
    explanation: str
    added_risks: list[ModelRisk]
    payment_details: PaymentDetails


@dataclass(frozen=True)
class ReviewedCheck:
    check: PaymentCheck  # the rules' check, raised by grounded model risks
    explanation: str | None  # raw model words (escape before showing); None if dropped
    added: tuple[str, ...]  # the model's one-line description of each risk it added
    details: tuple[tuple[str, str], ...]  # (field, masked value) found in the message
    miss: Miss | None = None
    withheld: bool = False  # the explanation reassured next to a risky verdict


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
    # The model's own words are shown too: a number it repeats is masked like a quote.
    added = tuple(
        mask_numbers(r.what) for r in risks if mask_numbers(r.quote.strip()) in kept_quotes
    )
    explanation: str | None = mask_numbers(review.explanation.strip()[:MAX_EXPLANATION]) or None
    # Calling a risky payment safe contradicts the rules: most likely the message steered it.
    withheld = bool(explanation and raised.verdict is not Verdict.APPROVED) and reassures(
        explanation or ""
    )
    details = _details(review.payment_details, text)
    if withheld:
        explanation = None
    return ReviewedCheck(raised, explanation, added, details, withheld=withheld)


def _findings(check: PaymentCheck, explain: Callable[[str], str]) -> str:
    if not check.signals:
        return "- nothing specific"
    return "\n".join(f"- {explain(signal.code)}" for signal in check.signals)


def _details(details: PaymentDetails, text: str) -> tuple[tuple[str, str], ...]:
    found = []
    compact = "".join(text.split())
    for field, value in details.model_dump().items():
        if isinstance(value, str) and value.strip() and "".join(value.split()) in compact:
            found.append((field, mask_numbers(value.strip())))
    return tuple(found)
