"""What the AI helper may do to a payment verdict: raise it, never lower it.

The model's additions arrive as (level, quote) pairs. A quote must be words of the checked
message itself, so a risk the model imagined, or was told to imagine by an instruction
elsewhere, is dropped; a real one is added as a signal and can only move the verdict up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain.invisible import strip_invisible
from bot.domain.masking import mask_numbers
from bot.domain.payments.model import VERDICT_RANK, PaymentCheck, Signal, Verdict
from bot.domain.payments.signals import DECLINE_REPLIES_ZH, VERDICT_ADVICE

MODEL_SIGNAL = "ai_flagged"
MAX_QUOTE = 300
# Levels the model may add; "approved" and "unclear" would not be a risk.
RAISING_LEVELS = frozenset({Verdict.CONDITIONAL, Verdict.HIGH_RISK})


@dataclass(frozen=True)
class AddedRisk:
    level: Verdict
    quote: str


def escalate(check: PaymentCheck, text: str, added: Sequence[AddedRisk]) -> PaymentCheck:
    """`check` with the model's grounded risks added; the verdict never goes down."""
    grounded = [risk for risk in added if _is_grounded(risk, text)]
    if not grounded:
        return check
    signals = check.signals + tuple(
        Signal(MODEL_SIGNAL, mask_numbers(risk.quote.strip()), risk.level) for risk in grounded
    )
    verdict = max(
        [check.verdict, *(risk.level for risk in grounded)], key=VERDICT_RANK.__getitem__
    )
    advice = check.advice if verdict is check.verdict else VERDICT_ADVICE[verdict]
    reply = check.decline_reply_zh or DECLINE_REPLIES_ZH["generic"]
    return replace(
        check,
        verdict=verdict,
        signals=signals,
        advice=tuple(dict.fromkeys((*advice, MODEL_SIGNAL))),
        decline_reply_zh=reply,
    )


def _is_grounded(risk: AddedRisk, text: str) -> bool:
    quote = _comparable(risk.quote)
    return (
        risk.level in RAISING_LEVELS
        and 2 <= len(quote) <= MAX_QUOTE
        and quote in _comparable(text)
    )


_SPACES = re.compile(r"\s+")


def _comparable(text: str) -> str:
    """Full-width to half-width, no invisible characters, one space for any run of spaces,
    lower case: how a model's copy of a quote may differ from the original without
    changing its words."""
    seen = strip_invisible(unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", seen).strip().lower()


# Words that tell a buyer to relax. Next to a verdict that is not "approved" they
# contradict the rules, and are what a manipulated model would write. This list decides
# only whether the buyer is told that the helper's words were left out: under a risky
# verdict the model's prose is never shown at all (bot.assist.payments), so a synonym
# missing here cannot reach the buyer.
_REASSURING = re.compile(
    r"\b(?:safe(?:ly)?|secure|approved?|legit(?:imate)?|genuine|authentic|reliable|trusted|"
    r"trustworthy|verified|no risks?|risk[- ]free|low[- ]risk|nothing to worry|"
    r"no (?:problem|concerns?|red flags?)|nothing suspicious|all good|go ahead|"
    r"(?:fine|ok|okay) to pay|you can (?:safely )?pay|can proceed)\b|"
    r"безопасн|одобрен|надёжн|надежн|легитимн|проверенн|можно доверять|"
    r"можно (?:смело )?(?:платить|оплатить|оплачивать)|можете (?:смело )?(?:платить|оплатить)|"
    r"нет (?:риска|рисков)|рисков нет|без риска|всё в порядке|все в порядке|"
    r"не о чем беспокоиться|"
    r"放心|安全|没问题|可以付款|可以支付|已批准|可靠|正规|可信|无风险|没有风险|合法",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|never|isn't|is not|un)\s*$|(?:не|небез)\s*$|(?:不|并不|不是)\s*$", re.IGNORECASE
)


def reassures(explanation: str) -> bool:
    """Does the text call the payment safe (not "not safe", "unsafe", "небезопасно")?
    Read as a person sees it: compatibility forms folded, invisible characters removed,
    so "s\u200bafe" and full-width "ｓａｆｅ" count."""
    seen = strip_invisible(unicodedata.normalize("NFKC", explanation))
    for match in _REASSURING.finditer(seen):
        before = seen[max(0, match.start() - 12) : match.start()]
        if not _NEGATED.search(before):
            return True
    return False
