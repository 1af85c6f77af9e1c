"""The result types of the payment-request checker (re-exported by `checker`)."""

from __future__ import annotations

from dataclasses import dataclass, field
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
class Slots:
    """What a payment message was read into (values in `slots`); "unknown" when unsaid."""

    payee: str = "unknown"
    channel: str = "unknown"
    platform: str = "unknown"
    pretexts: tuple[str, ...] = ()
    structures: tuple[str, ...] = ()
    speaker: str = "supplier"
    # The method was chosen on the platform's own payment page ("Send Initial Payment").
    on_platform_page: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "payee": self.payee,
            "channel": self.channel,
            "platform": self.platform,
            "pretext": list(self.pretexts),
            "structure": list(self.structures),
            "speaker": self.speaker,
        }


@dataclass(frozen=True)
class PaymentCheck:
    verdict: Verdict
    signals: tuple[Signal, ...]
    advice: tuple[str, ...]
    decline_reply_zh: str | None
    # What the message was read into, and the one slot worth asking the buyer about.
    slots: Slots = field(default_factory=lambda: Slots())
    ask: str | None = None
    # What the message says beyond the signals, for advice that only fits some messages:
    # "discount" (a price cut is mentioned), "seller" (a 1688 shop or offer is named).
    mentions: frozenset[str] = frozenset()
