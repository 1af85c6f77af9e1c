"""The registration risk check: how a buyer's 1688 account, phone, Alipay and payments are set up.

Buyers who cannot open a 1688 account easily are offered shortcuts: accounts bought on
forums, virtual or borrowed phone numbers, someone else's Alipay, transfers straight to the
supplier. Each shortcut hands control of the account or the money to a stranger, and
accounts that look traded get frozen. This module rates each answer, picks the steps that
move the buyer to a setup they control, and says what a link pasted during the check is.

Texts live in the catalogues: `reg_why_<question>_<answer>` (and its one-line
`reg_brief_…`), `reg_step_<step>` (and its short `reg_next_<step>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.links.classify import LinkCheck, LinkKind


class Risk(StrEnum):
    UNKNOWN = "unknown"  # skipped: neither safe nor unsafe, but nothing to reassure with
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


_SEVERITY = {Risk.UNKNOWN: 0, Risk.LOW: 1, Risk.MEDIUM: 2, Risk.HIGH: 3}


@dataclass(frozen=True)
class Question:
    code: str
    answers: Mapping[str, Risk]  # in the order the buttons are shown


QUESTIONS: tuple[Question, ...] = (
    Question("account", {"own": Risk.LOW, "agent": Risk.MEDIUM, "bought": Risk.HIGH}),
    Question(
        "phone",
        {
            "cn_own": Risk.LOW,
            "foreign_own": Risk.LOW,
            # Verification codes to VoIP numbers fail, so the account cannot be recovered.
            "virtual": Risk.HIGH,
            "lent": Risk.HIGH,
        },
    ),
    Question("alipay", {"own_verified": Risk.LOW, "none": Risk.MEDIUM, "someone_else": Risk.HIGH}),
    Question("payment", {"checkout": Risk.LOW, "agent": Risk.MEDIUM, "transfer": Risk.HIGH}),
)
QUESTIONS_BY_CODE = {question.code: question for question in QUESTIONS}

# A lookalike sign-in or payment page seen during the check is its own finding.
LOOKALIKE_FINDING = "link"

STEP_ORDER = (
    "own_account",
    "own_sim",
    "keep_sim",
    "stop_borrowed_alipay",
    "verify_alipay",
    "checkout_only",
    "agent_rules",
    "cross_border_pay",
    "sign_in_yourself",
    "fake_link_seen",
)


@dataclass(frozen=True)
class Finding:
    question: str  # a question code, or LOOKALIKE_FINDING
    answer: str | None  # None when the question was skipped
    risk: Risk

    @property
    def why_key(self) -> str:
        if self.question == LOOKALIKE_FINDING:
            return "reg_why_link_lookalike"
        return f"reg_why_{self.question}_{self.answer or 'skip'}"

    @property
    def brief_key(self) -> str:
        """The one-line form of the why, for the short report."""
        return self.why_key.replace("reg_why_", "reg_brief_", 1)


# The one step the short report leads with: what stops a loss soonest. A password typed on a
# fake page is being used now; money sent outside checkout is gone; a bought account is
# taken back; refunds to someone else's Alipay are theirs; a lost number locks the buyer out.
NEXT_STEP_ORDER = (
    "fake_link_seen",
    "checkout_only",
    "own_account",
    "stop_borrowed_alipay",
    "own_sim",
    "verify_alipay",
    "agent_rules",
    "keep_sim",
    "cross_border_pay",
    "sign_in_yourself",
)
# Findings in the short report, most urgent first, in the same spirit.
_URGENCY = (LOOKALIKE_FINDING, "payment", "account", "alipay", "phone")
TOP_FINDINGS = 3


@dataclass(frozen=True)
class RegistrationReport:
    overall: Risk
    findings: tuple[Finding, ...]
    steps: tuple[str, ...]  # step codes in STEP_ORDER

    @property
    def concerns(self) -> tuple[Finding, ...]:
        """Every answer that is not safe (risky or skipped), the worst and most urgent
        first; each question once."""
        unsafe = {f.question: f for f in self.findings if f.risk is not Risk.LOW}
        return tuple(
            sorted(
                unsafe.values(),
                key=lambda f: (-_SEVERITY[f.risk], _URGENCY.index(f.question)),
            )
        )

    @property
    def top_concerns(self) -> tuple[Finding, ...]:
        return self.concerns[:TOP_FINDINGS]

    @property
    def next_step(self) -> str:
        return next(step for step in NEXT_STEP_ORDER if step in self.steps)


def is_answer(question: str, answer: str) -> bool:
    known = QUESTIONS_BY_CODE.get(question)
    return known is not None and answer in known.answers


def assess(
    answers: Mapping[str, str | None], *, lookalike_seen: bool = False
) -> RegistrationReport:
    """Rate every question (unanswered ones as UNKNOWN) and choose the safe-setup steps."""
    findings = [_finding(question, answers.get(question.code)) for question in QUESTIONS]
    if lookalike_seen:
        findings.append(Finding(LOOKALIKE_FINDING, "lookalike", Risk.HIGH))
    overall = max((finding.risk for finding in findings), key=_SEVERITY.__getitem__)
    return RegistrationReport(overall, tuple(findings), _steps(answers, lookalike_seen))


def _finding(question: Question, answer: str | None) -> Finding:
    if answer is None or answer not in question.answers:
        return Finding(question.code, None, Risk.UNKNOWN)
    return Finding(question.code, answer, question.answers[answer])


def _steps(answers: Mapping[str, str | None], lookalike_seen: bool) -> tuple[str, ...]:
    account, phone = answers.get("account"), answers.get("phone")
    alipay, payment = answers.get("alipay"), answers.get("payment")
    wanted = {"sign_in_yourself"}  # phishing pages target every buyer, whatever the setup
    if account in {"bought", "agent"}:
        wanted.add("own_account")
    if phone in {"virtual", "lent"}:
        wanted.add("own_sim")
    if phone == "foreign_own":
        wanted.add("keep_sim")
    if alipay == "someone_else":
        wanted.add("stop_borrowed_alipay")
    if alipay != "own_verified":  # skipped too: the buyer should know how to get there
        wanted.add("verify_alipay")
    if payment != "checkout":
        wanted.add("checkout_only")
    if "agent" in {account, payment}:
        wanted.add("agent_rules")
    if payment != "checkout" or alipay != "own_verified":
        wanted.add("cross_border_pay")
    if lookalike_seen:
        wanted.add("fake_link_seen")
    return tuple(step for step in STEP_ORDER if step in wanted)


class LinkAlert(StrEnum):
    """What a link pasted during the check means for signing in or paying there."""

    FAKE = "fake"  # dressed up as Alibaba or Alipay: never sign in or pay there
    UNRELATED = "unrelated"  # some other site: nothing there protects a 1688 payment
    GENUINE = "genuine"  # a real Alibaba Group or Alipay address
    NONE = "none"


_UNRELATED_REASONS = frozenset({"unrelated_site", "ip_address_host"})


def link_alert(check: LinkCheck) -> LinkAlert:
    if check.kind is LinkKind.LOOKALIKE:
        return LinkAlert.FAKE
    if _UNRELATED_REASONS & set(check.reasons):
        return LinkAlert.UNRELATED  # an unrelated site is kind `none`, with its url
    if check.kind is LinkKind.NONE:
        return LinkAlert.NONE
    return LinkAlert.GENUINE
