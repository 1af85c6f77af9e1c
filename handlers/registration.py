"""/register: a four-question check of how the buyer's 1688 account and payments are set up.

Each answer is one tap (or "Not sure"); the report rates every answer, says why, and lists
the steps to a setup the buyer controls. A sign-in or payment link pasted at any point is
checked at once, and a fake one is called out before anything else. Nothing is stored.
See registration.mmd for the flow.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)

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
    is_answer,
    link_alert,
)
from bot.render.i18n import Html
from bot.render.suppliers import clip_url
from handlers.callback_data import CallbackRoute
from handlers.guided import question_conversation
from handlers.keyboards import MENU, menu_button
from handlers.replies import acknowledge, replace_or_reply, reply

ANSWER = CallbackRoute("reg", arity=2)  # reg|<question>|<answer or skip>
ASKING = 1
SKIP = "skip"
FLOW_KEY = "registration"
_FRESH = ~filters.UpdateType.EDITED
# The supplier scorecard's coloured dots, so both reports read the same way.
_ICONS = {
    Risk.LOW: "sup_rating_icon_green",
    Risk.MEDIUM: "sup_rating_icon_amber",
    Risk.HIGH: "sup_rating_icon_red",
    Risk.UNKNOWN: "sup_rating_icon_unknown",
}


# -- the answers so far, kept in the user's state between taps ---------------------------


def _load(context: BotContext) -> dict[str, object] | None:
    saved = context.state.flow.get(FLOW_KEY)
    return saved if isinstance(saved, dict) else None


def _answers(draft: dict[str, object]) -> dict[str, str | None]:
    saved = draft.get("answers")
    if not isinstance(saved, dict):
        return {}
    return {str(key): value if isinstance(value, str) else None for key, value in saved.items()}


def _new_draft(context: BotContext) -> dict[str, object]:
    draft: dict[str, object] = {"answers": {}, "current": QUESTIONS[0].code, "lookalike": False}
    context.state.flow[FLOW_KEY] = draft
    return draft


# -- entry -------------------------------------------------------------------------------


async def register_command(update: Update, context: BotContext) -> int:
    """/register, or /register <link> to have a sign-in link checked first."""
    message = update.effective_message
    typed = (message.text or "").partition(" ")[2] if message else ""
    draft = _new_draft(context)
    lead = context.text("reg_intro")
    if find_links(typed):
        await _warn_about_link(update, context, draft, classify_link(typed))
        lead = ""
    await _ask(update, context, draft, lead, edit=False)
    return ASKING


async def from_menu(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    draft = _new_draft(context)
    await _ask(update, context, draft, context.text("reg_intro"), edit=True)
    return ASKING


# -- asking ------------------------------------------------------------------------------


async def _ask(
    update: Update, context: BotContext, draft: dict[str, object], lead: str, *, edit: bool
) -> None:
    code = str(draft.get("current"))
    number = next(i for i, question in enumerate(QUESTIONS, start=1) if question.code == code)
    progress = context.text("reg_progress", number=number, total=len(QUESTIONS))
    question = f"{progress}\n{context.text(f'reg_ask_{code}')}"
    text = "\n\n".join(part for part in (lead, question) if part)
    if edit:
        # A tap turns its question into the next one: one message for the whole check.
        await replace_or_reply(update, text, _keyboard(context, code))
    else:
        await reply(update, text, _keyboard(context, code))


def _keyboard(context: BotContext, code: str) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                context.text(f"reg_opt_{code}_{answer}"), callback_data=ANSWER.pack(code, answer)
            )
        ]
        for answer in QUESTIONS_BY_CODE[code].answers
    ]
    skip = InlineKeyboardButton(
        context.text("reg_btn_skip"), callback_data=ANSWER.pack(code, SKIP)
    )
    rows.append([skip])
    return InlineKeyboardMarkup(rows)


async def button_answer(update: Update, context: BotContext) -> int:
    """A tap on an answer. Also an entry point, so the first question still works when it
    was shown from another flow's menu, outside this conversation."""
    parts = ANSWER.unpack(update.callback_query.data if update.callback_query else None)
    draft = _load(context)
    if (
        parts is None
        or draft is None
        or parts[0] != draft.get("current")
        or not (parts[1] == SKIP or is_answer(*parts))
    ):
        await acknowledge(update, context.text("reg_stale_question"), alert=True)
        return ASKING if draft is not None else ConversationHandler.END
    await acknowledge(update)
    code, answer = parts
    answers = _answers(draft)
    answers[code] = None if answer == SKIP else answer
    draft["answers"] = answers
    following = [question.code for question in QUESTIONS if question.code not in answers]
    if not following:
        await _finish(update, context, draft)
        return ConversationHandler.END
    draft["current"] = following[0]
    await _ask(update, context, draft, "", edit=True)
    return ASKING


async def typed_text(update: Update, context: BotContext) -> int:
    """Text instead of a tap: a link is checked, anything else gets the buttons again."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    draft = _load(context) or _new_draft(context)
    check = classify_link(text)
    if link_alert(check) is LinkAlert.NONE:
        await _ask(update, context, draft, context.text("reg_use_buttons"), edit=False)
        return ASKING
    await _warn_about_link(update, context, draft, check)
    # The question goes below the warning, so the buttons stay at the bottom of the chat.
    await _ask(update, context, draft, "", edit=False)
    return ASKING


async def _warn_about_link(
    update: Update, context: BotContext, draft: dict[str, object], check: LinkCheck
) -> None:
    alert = link_alert(check)
    if alert is LinkAlert.FAKE:
        draft["lookalike"] = True
    reasons = "\n".join(
        context.text("sup_bullet", text=Html(context.text(f"link_reason_{code}")))
        for code in check.reasons
    )
    # The address of a fake site is not repeated: a tap on it is exactly what to avoid.
    address = clip_url(check.url) if alert is not LinkAlert.FAKE and check.url else "–"
    text = context.text(f"reg_link_{alert.value}", url=address)
    await reply(update, f"{text}\n\n{reasons}" if reasons else text)


# -- the report --------------------------------------------------------------------------


async def _finish(update: Update, context: BotContext, draft: dict[str, object]) -> None:
    report = assess(_answers(draft), lookalike_seen=draft.get("lookalike") is True)
    context.state.flow.pop(FLOW_KEY, None)
    await replace_or_reply(update, render_report(report, context), menu_button(context.language))


def render_report(report: RegistrationReport, context: BotContext) -> str:
    parts = [
        context.text("reg_report_title"),
        context.text("reg_report_overall", risk=Html(context.text(f"reg_risk_{report.overall}"))),
        "\n\n".join(_finding_text(finding, context) for finding in report.findings),
        context.text("reg_steps_title")
        + "\n"
        + "\n".join(
            f"{number}. {context.text(f'reg_step_{step}')}"
            for number, step in enumerate(report.steps, start=1)
        ),
        context.text("reg_report_footer"),
    ]
    return "\n\n".join(parts)


def _finding_text(finding: Finding, context: BotContext) -> str:
    icon = context.text(_ICONS[finding.risk])
    question = context.text(f"reg_q_{finding.question}")
    if finding.question in QUESTIONS_BY_CODE and finding.answer is not None:
        answer = context.text(f"reg_opt_{finding.question}_{finding.answer}")
    elif finding.risk is Risk.UNKNOWN:
        answer = context.text("reg_answer_skipped")
    else:
        answer = context.text("reg_answer_link")
    return context.text(
        "reg_finding",
        icon=Html(icon),
        question=Html(question),
        answer=Html(answer),
        why=Html(context.text(finding.why_key)),
    )


async def not_text(update: Update, context: BotContext) -> int:
    draft = _load(context) or _new_draft(context)
    await _ask(update, context, draft, context.text("reg_use_buttons"), edit=False)
    return ASKING


def conversation(fallbacks: list[AnyHandler]) -> ConversationHandler[BotContext]:
    entry_points: list[AnyHandler] = [
        CommandHandler("register", register_command),
        CallbackQueryHandler(from_menu, pattern=MENU.exact("register")),
        CallbackQueryHandler(button_answer, pattern=ANSWER.pattern),
    ]
    return question_conversation(
        name="registration_check",
        entry_points=entry_points,
        button=CallbackQueryHandler(button_answer, pattern=ANSWER.pattern),
        typed=typed_text,
        other=not_text,
        typed_filter=(filters.TEXT | filters.CAPTION) & ~filters.COMMAND & _FRESH,
        timeout_minutes=30,
        fallbacks=fallbacks,
    )
