"""The result types of the payment-request checker (re-exported by `checker`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.payments.slots import Slots


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
    # What the message was read into, and the one slot worth asking the buyer about.
    slots: Slots = field(default_factory=lambda: _empty_slots())
    ask: str | None = None


def _empty_slots() -> Slots:
    from bot.domain.payments.slots import Slots

    return Slots()
