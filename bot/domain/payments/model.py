"""The result types of the payment-request checker (re-exported by `checker`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    APPROVED = "approved"
    CONDITIONAL = "conditional"
    HIGH_RISK = "high_risk"
    UNCLEAR = "unclear"


# How much each verdict outranks the others when signals disagree: any risk beats approval.
VERDICT_RANK: dict[Verdict, int] = {
    Verdict.HIGH_RISK: 3,
    Verdict.CONDITIONAL: 2,
    Verdict.APPROVED: 1,
    Verdict.UNCLEAR: 0,
}


@dataclass(frozen=True)
class Signal:
    """One reason for the verdict, with the (masked) words that triggered it."""

    code: str
    evidence: str
    verdict: Verdict


@dataclass(frozen=True)
class PaymentCheck:
    verdict: Verdict
    signals: tuple[Signal, ...]
    advice: tuple[str, ...]
    decline_reply_zh: str | None
