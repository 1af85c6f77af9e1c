"""/register: a four-question check of how the buyer's 1688 account and payments are set up.

Each answer is one tap (or "Not sure"); the report leads with the verdict, the worst answers
and the one step to take first, and keeps why each answer was rated so and every step to a
setup the buyer controls one tap away, in a collapsed quote. A sign-in or payment link
pasted at any point is checked at once, and a fake one is called out before anything else.
Nothing is stored.
See registration.mmd for the flow.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import AnyHandler, BotContext
from bot.domain.links.classify import LinkCheck, classify_link, find_links
from bot.domain.registration import (
    QUESTIONS,
    QUESTIONS_BY_CODE,
    Finding,
    LinkAlert,
    RegistrationReport,
    Risk,
    assess,
    link_alert,
)
from bot.render.i18n import Html, translate
from bot.render.suppliers import clip_url
from handlers import routes
from handlers.guided import (
    TYPED_TEXT_OR_CAPTION,
    Choice,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Question,
    Turn,
    catalogue_prompt,
)
from handlers.keyboards import menu_button
from handlers.replies import acknowledge, replace_or_reply, reply

# The supplier scorecard's coloured dots, so both reports read the same way.
_ICONS = {
    Risk.LOW: "sup_rating_icon_green",
    Risk.MEDIUM: "sup_rating_icon_amber",
    Risk.HIGH: "sup_rating_icon_red",
    Risk.UNKNOWN: "sup_rating_icon_unknown",
}


def _question(code: str) -> Question:
    def choices(turn: Turn) -> list[Choice]:
        return [
            Choice(answer, turn.text(f"reg_opt_{code}_{answer}"))
            for answer in QUESTIONS_BY_CODE[code].answers
        ]

    return Question(code, catalogue_prompt(f"reg_ask_{code}"), choices=choices)


# -- entry -------------------------------------------------------------------------------


async def register_command(update: Update, context: BotContext) -> int:
    """/register, or /register <link> to have a sign-in link checked first."""
    message = update.effective_message
    typed = (message.text or "").partition(" ")[2] if message else ""
    turn = FLOW.turn(update, context, FlowState())
    lead = context.text("reg_intro")
    if find_links(typed):
        await _warn_about_link(turn, classify_link(typed))
        lead = ""
    return await FLOW.ask_next(turn, lead)


async def from_menu(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    return await FLOW.begin(update, context, FlowState(), context.text("reg_intro"))


async def _text_pasted(turn: Turn, text: str) -> None:
    """Text instead of a tap: a link is checked, anything else gets the buttons again."""
    question = FLOW.question(turn.state.step)
    assert question is not None
    check = classify_link(text)
    if link_alert(check) is LinkAlert.NONE:
        await FLOW.show(turn, question, turn.text("reg_use_buttons"))
        return
    await _warn_about_link(turn, check)
    turn.save()
    # The question goes below the warning, so the buttons stay at the bottom of the chat.
    await FLOW.show(turn, question)


async def _warn_about_link(turn: Turn, check: LinkCheck) -> None:
    alert = link_alert(check)
    if alert is LinkAlert.FAKE:
        turn.state.notes["lookalike"] = True
    reasons = "\n".join(
        turn.text("sup_bullet", text=Html(turn.text(f"link_reason_{code}")))
        for code in check.reasons
    )
    # The address of a fake site is not repeated: a tap on it is exactly what to avoid.
    address = clip_url(check.url) if alert is not LinkAlert.FAKE and check.url else "–"
    text = turn.text(f"reg_link_{alert.value}", url=address)
    await reply(turn.update, f"{text}\n\n{reasons}" if reasons else text)


# -- the report --------------------------------------------------------------------------


async def _finish(turn: Turn, lead: str) -> None:
    answers = {code: v if isinstance(v, str) else None for code, v in turn.state.answers.items()}
    report = assess(answers, lookalike_seen=turn.state.notes.get("lookalike") is True)
    await replace_or_reply(
        turn.update, render_report(report, turn.language), menu_button(turn.language)
    )


def render_report(report: RegistrationReport, language: str) -> str:
    """The verdict, the worst answers, the one next step; why each answer was rated so and
    every step wait in a collapsed quote, so the report fits a phone screen."""
    verdict = translate(
        language,
        "reg_report_overall",
        risk=Html(translate(language, f"reg_risk_{report.overall}")),
    )
    concerns = [_concern_text(finding, language) for finding in report.top_concerns]
    if not concerns:
        concerns.append(translate(language, "reg_all_safe"))
    hidden = len(report.concerns) - len(report.top_concerns)
    if hidden:
        concerns.append(translate(language, "reg_more_concerns", count=hidden))
    next_step = translate(
        language, "reg_next_step", step=Html(translate(language, f"reg_next_{report.next_step}"))
    )
    return "\n\n".join([verdict, "\n".join(concerns), next_step, _details(report, language)])


def _concern_text(finding: Finding, language: str) -> str:
    icon = translate(language, _ICONS[finding.risk])
    question = translate(language, f"reg_q_{finding.question}")
    return f"{icon} <b>{question}</b>: {translate(language, finding.brief_key)}"


def _details(report: RegistrationReport, language: str) -> str:
    steps = "\n".join(
        f"{number}. {translate(language, f'reg_step_{step}')}"
        for number, step in enumerate(report.steps, start=1)
    )
    parts = [
        translate(language, "reg_details_title"),
        "\n\n".join(_finding_text(finding, language) for finding in report.findings),
        translate(language, "reg_steps_title") + "\n" + steps,
        translate(language, "reg_report_footer"),
    ]
    body = "\n\n".join(parts)
    return f"<blockquote expandable>{body}</blockquote>"


def _finding_text(finding: Finding, language: str) -> str:
    icon = translate(language, _ICONS[finding.risk])
    question = translate(language, f"reg_q_{finding.question}")
    if finding.question in QUESTIONS_BY_CODE and finding.answer is not None:
        answer = translate(language, f"reg_opt_{finding.question}_{finding.answer}")
    elif finding.risk is Risk.UNKNOWN:
        answer = translate(language, "reg_answer_skipped")
    else:
        answer = translate(language, "reg_answer_link")
    return translate(
        language,
        "reg_finding",
        icon=Html(icon),
        question=Html(question),
        answer=Html(answer),
        why=Html(translate(language, finding.why_key)),
    )


FLOW = GuidedFlow(
    name="registration_check",
    route=routes.REGISTRATION,
    questions=tuple(_question(question.code) for question in QUESTIONS),
    texts=FlowTexts(
        stale="reg_stale_question",
        use_buttons="reg_use_buttons",
        skip="reg_btn_skip",
        progress="reg_progress",
    ),
    finish=_finish,
    idle=timedelta(minutes=30),
    typed_filter=TYPED_TEXT_OR_CAPTION,
    on_text=_text_pasted,
)


def conversation(fallbacks: list[AnyHandler]) -> ConversationHandler[BotContext]:
    return FLOW.conversation(
        entry_points=[
            CommandHandler("register", register_command),
            CallbackQueryHandler(from_menu, pattern=routes.MENU.exact("register")),
        ],
        fallbacks=fallbacks,
    )
