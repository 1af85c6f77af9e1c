"""The registration risk check: each answer's risk, the overall rating, the safe-setup steps,
and what a link pasted during the check means."""

from __future__ import annotations

import pytest

from bot.domain.links.classify import classify_link
from bot.domain.registration import (
    LOOKALIKE_FINDING,
    NEXT_STEP_ORDER,
    QUESTIONS,
    STEP_ORDER,
    LinkAlert,
    Risk,
    assess,
    is_answer,
    link_alert,
)
from bot.render.i18n import keys

SAFE = {"account": "own", "phone": "cn_own", "alipay": "own_verified", "payment": "checkout"}


def risks(answers: dict[str, str | None]) -> dict[str, Risk]:
    return {finding.question: finding.risk for finding in assess(answers).findings}


@pytest.mark.parametrize(
    ("question", "answer", "risk"),
    [
        ("account", "own", Risk.LOW),
        ("account", "agent", Risk.MEDIUM),
        ("account", "bought", Risk.HIGH),
        ("phone", "cn_own", Risk.LOW),
        ("phone", "foreign_own", Risk.LOW),
        ("phone", "virtual", Risk.HIGH),
        ("phone", "lent", Risk.HIGH),
        ("alipay", "own_verified", Risk.LOW),
        ("alipay", "none", Risk.MEDIUM),
        ("alipay", "someone_else", Risk.HIGH),
        ("payment", "checkout", Risk.LOW),
        ("payment", "agent", Risk.MEDIUM),
        ("payment", "transfer", Risk.HIGH),
    ],
)
def test_each_answer_has_its_risk(question: str, answer: str, risk: Risk) -> None:
    assert risks({**SAFE, question: answer})[question] is risk


def test_a_safe_setup_is_low_risk_and_only_gets_the_sign_in_habit() -> None:
    report = assess(SAFE)

    assert report.overall is Risk.LOW
    assert report.steps == ("sign_in_yourself",)


def test_the_worst_answer_decides_the_overall_risk() -> None:
    assert assess({**SAFE, "alipay": "none"}).overall is Risk.MEDIUM
    assert assess({**SAFE, "alipay": "none", "phone": "lent"}).overall is Risk.HIGH


def test_skipped_questions_are_unknown_and_never_lower_a_risk() -> None:
    report = assess({"payment": "transfer"})

    assert [f.risk for f in report.findings] == [Risk.UNKNOWN] * 3 + [Risk.HIGH]
    assert report.overall is Risk.HIGH
    assert assess({}).overall is Risk.UNKNOWN
    assert assess({**SAFE, "account": None}).overall is Risk.LOW


def test_an_answer_the_question_does_not_have_counts_as_skipped() -> None:
    finding = assess({"account": "stolen"}).findings[0]

    assert finding.risk is Risk.UNKNOWN
    assert finding.answer is None
    assert finding.why_key == "reg_why_account_skip"


@pytest.mark.parametrize(
    ("change", "step"),
    [
        ({"account": "bought"}, "own_account"),
        ({"account": "agent"}, "own_account"),
        ({"account": "agent"}, "agent_rules"),
        ({"phone": "virtual"}, "own_sim"),
        ({"phone": "lent"}, "own_sim"),
        ({"phone": "foreign_own"}, "keep_sim"),
        ({"alipay": "someone_else"}, "stop_borrowed_alipay"),
        ({"alipay": "someone_else"}, "verify_alipay"),
        ({"alipay": "none"}, "verify_alipay"),
        ({"alipay": "none"}, "cross_border_pay"),
        ({"payment": "transfer"}, "checkout_only"),
        ({"payment": "agent"}, "agent_rules"),
    ],
)
def test_risky_answers_bring_the_step_that_fixes_them(change: dict[str, str], step: str) -> None:
    assert step in assess({**SAFE, **change}).steps
    assert step not in assess(SAFE).steps


def test_steps_come_in_a_fixed_order() -> None:
    worst = {"account": "bought", "phone": "lent", "alipay": "someone_else", "payment": "agent"}

    steps = assess(worst, lookalike_seen=True).steps

    assert list(steps) == sorted(steps, key=STEP_ORDER.index)
    assert steps[-1] == "fake_link_seen"


def test_a_lookalike_link_makes_even_a_safe_setup_high_risk() -> None:
    report = assess(SAFE, lookalike_seen=True)

    assert report.overall is Risk.HIGH
    assert report.findings[-1].question == LOOKALIKE_FINDING
    assert report.findings[-1].why_key == "reg_why_link_lookalike"
    assert "fake_link_seen" in report.steps


@pytest.mark.parametrize(
    ("text", "alert"),
    [
        ("http://login.1688.com.secure-verify.top/member/signin.htm", LinkAlert.FAKE),
        ("https://a1ipay.com/pay", LinkAlert.FAKE),
        ("请登录 1688.cn 验证账户", LinkAlert.FAKE),
        ("https://login.1688.com/member/signin.htm", LinkAlert.GENUINE),
        ("https://qr.alipay.com/fkx123", LinkAlert.GENUINE),
        ("https://detail.1688.com/offer/653487692354.html", LinkAlert.GENUINE),
        ("https://example-pay.com/checkout", LinkAlert.UNRELATED),
        ("no link here, just words", LinkAlert.NONE),
    ],
)
def test_a_pasted_link_is_sorted_for_signing_in(text: str, alert: LinkAlert) -> None:
    assert link_alert(classify_link(text)) is alert


def test_a_lookalike_wins_over_a_real_link_in_the_same_message() -> None:
    text = "real: https://login.1688.com/ and fake: https://login-1688.com/verify"

    assert link_alert(classify_link(text)) is LinkAlert.FAKE


def test_is_answer_knows_only_the_offered_answers() -> None:
    assert is_answer("phone", "virtual")
    assert not is_answer("phone", "own")
    assert not is_answer("nonsense", "own")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_text_the_report_needs_is_in_the_catalogue(language: str) -> None:
    needed = {f"reg_step_{step}" for step in STEP_ORDER} | {"reg_why_link_lookalike"}
    for question in QUESTIONS:
        needed |= {f"reg_ask_{question.code}", f"reg_q_{question.code}"}
        needed.add(f"reg_why_{question.code}_skip")
        for answer in question.answers:
            needed |= {f"reg_opt_{question.code}_{answer}", f"reg_why_{question.code}_{answer}"}
    needed |= {f"reg_next_{step}" for step in NEXT_STEP_ORDER}
    needed |= {
        finding.brief_key
        for answers in _EVERY_RISKY_ANSWER
        for finding in assess(answers, lookalike_seen=True).concerns
    }
    needed |= {f"reg_risk_{risk.value}" for risk in Risk}
    needed |= {f"reg_link_{alert.value}" for alert in LinkAlert if alert is not LinkAlert.NONE}

    assert needed <= keys(language)


_EVERY_RISKY_ANSWER = [
    {question.code: answer}
    for question in QUESTIONS
    for answer, risk in question.answers.items()
    if risk is not Risk.LOW
] + [{}]


def test_the_short_report_leads_with_the_worst_and_most_urgent_answers() -> None:
    report = assess(
        {"account": "agent", "phone": "virtual", "alipay": None, "payment": "transfer"},
        lookalike_seen=True,
    )

    assert [(f.question, f.risk) for f in report.concerns] == [
        (LOOKALIKE_FINDING, Risk.HIGH),
        ("payment", Risk.HIGH),
        ("phone", Risk.HIGH),
        ("account", Risk.MEDIUM),
        ("alipay", Risk.UNKNOWN),
    ]
    assert len(report.top_concerns) == 3
    assert report.next_step == "fake_link_seen"


def test_safe_answers_are_no_concern_and_the_next_step_is_signing_in_yourself() -> None:
    report = assess(SAFE)

    assert report.concerns == ()
    assert report.next_step == "sign_in_yourself"


def test_money_sent_outside_checkout_is_stopped_before_anything_else() -> None:
    report = assess({**SAFE, "account": "bought", "payment": "transfer"})

    assert report.next_step == "checkout_only"
    assert report.next_step in report.steps


def test_next_step_order_covers_every_step() -> None:
    assert set(NEXT_STEP_ORDER) == set(STEP_ORDER)
