"""/dispute: the walkthrough for an order that went wrong, from 申请退款 to 申请客服介入.

Steps: the reason to pick on 1688 → "I clicked 申请退款" (pauses the order's escrow clock)
→ evidence checklist → optional weight check → keep the refund open / when to escalate,
with a follow-up reminder → a summary with the Chinese case text. Every step can be
skipped, and ◀ Back returns to the one before. See disputes.mmd.

The walk runs on the guided-flow engine (handlers/guided.py), its subject the order. Each
answer that matters is also recorded on the order (bot/services/disputes.py), so a walk
whose state is gone (an expired conversation, a button on an old message) is rebuilt from
the order, and a walk started again picks up where the order's record ends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import AnyHandler, BotContext
from bot.domain.disputes import (
    COPYABLE_MAX_CHARS,
    FOLLOWUP_REMINDER_KIND,
    REASONS,
    Evidence,
    Reason,
    Step,
    WeightCheck,
    evidence_pack,
    message_zh,
    parse_weight_input,
    refund_note_zh,
    weight_check,
)
from bot.domain.escrow import OrderState
from bot.domain.timezones import format_local, zone_for
from bot.reminders.engine import ReminderRow
from bot.render.i18n import translate
from bot.services.disputes import RefundOutcome, SavedDispute
from handlers import routes
from handlers.callback_data import parse_number
from handlers.conversation import StoredConversation
from handlers.guided import (
    Answer,
    Choice,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Json,
    Outcome,
    Problem,
    Question,
    Turn,
)
from handlers.orders import PROBLEM_BUTTON
from handlers.replies import acknowledge, replace_or_reply, reply

ORDER_CARD = routes.ORDER_CARD
# handlers/reminders.py words reminders of this kind with render_dispute_reminder.
REMINDER_KIND = FOLLOWUP_REMINDER_KIND
MAX_ORDER_BUTTONS = 15  # the picker stays on one screen
MAX_BUTTON_LABEL = 40
# A copy button among several shows the first characters of its own Chinese block.
COPY_SNIPPET = 8
LEAD_ZH = "lead_zh"
# Details that open on a tap: Telegram shows a collapsed quote's first three lines.
QUOTE_OPEN, QUOTE_CLOSE = "<blockquote expandable>", "</blockquote>"
NO_ORDER = "none"
# The steps; PICK comes before the walk. SUMMARY and OPEN are buttons outside the
# questions: "Go through again" under the summary, and the follow-up reminder's button.
PICK, REASON, REFUND, EVIDENCE, WEIGHT, ESCALATE = (
    "order",
    "reason",
    "refund",
    "evidence",
    "weight",
    "escalate",
)
SUMMARY, OPEN = "summary", "open"
_DISPUTE_OVER = (OrderState.CLOSED, OrderState.INSPECTED_OK)
_REFUND_STATUS = {
    RefundOutcome.ORDER_GONE: "dsp_order_gone",
    RefundOutcome.ALREADY_OPEN: "dsp_refund_already",
    RefundOutcome.PAUSED: "dsp_refund_paused",
    RefundOutcome.NOT_NOW: "dsp_refund_not_now",
}


# -- what the walk knows -----------------------------------------------------------------------


def _reason(state: FlowState) -> Reason | None:
    value = state.answer(REASON)
    return Reason(value) if value in {reason.value for reason in Reason} else None


def _weight(state: FlowState) -> WeightCheck | None:
    saved = state.answer(WEIGHT)
    if not isinstance(saved, list) or len(saved) != 3:
        return None
    quantity, unit, receipt = saved
    return weight_check(int(quantity), float(unit), float(receipt))


def _evidence(state: FlowState) -> list[Evidence]:
    saved = state.answer(EVIDENCE)
    ticked = set(saved) if isinstance(saved, list) else set()
    return [item for item in Evidence if item in ticked]


def _moment(state: FlowState, note: str) -> datetime | None:
    saved = state.notes.get(note)
    return datetime.fromisoformat(saved) if isinstance(saved, str) else None


def _days(context: BotContext) -> str:
    return f"{context.settings.dispute_seller_response_days:g}"


def _state_of(saved: SavedDispute) -> FlowState:
    """The walk as the order records it: what was answered is not asked again."""
    state = FlowState(
        subject=saved.order_id,
        notes={
            "label": saved.label,
            "order_number": saved.order_number,
            "parcel_flags": list(saved.parcel_flags),
            "refund_at": saved.refund_requested_at.isoformat()
            if saved.refund_requested_at
            else None,
            "followup_at": saved.followup_at.isoformat() if saved.followup_at else None,
        },
    )
    known: dict[str, Json] = {}
    if saved.reason is not None:
        known[REASON] = saved.reason.value
    if saved.refund_requested:
        known[REFUND] = "done"
    if saved.evidence is not None:
        known[EVIDENCE] = [item.value for item in saved.evidence]
    if saved.weight is not None:
        known[WEIGHT] = list(saved.weight)
    if saved.followup_at is not None:
        known[ESCALATE] = "remind"
    state.preset(known)
    return state


# -- entries -----------------------------------------------------------------------------------


async def dispute_command(update: Update, context: BotContext) -> int:
    """/dispute or the menu: pick one of the open orders, or go on without one."""
    await acknowledge(update, context)
    user = update.effective_user
    if user is None:
        return ConversationHandler.END
    orders = await context.services.tracking.open_orders(user.id)
    if not orders:
        return await FLOW.begin(update, context, FlowState(), context.text("dsp_intro_no_order"))
    # The picker comes before the walk: the order it picks is the walk's subject.
    turn = FLOW.turn(update, context, FlowState())
    rows = [
        [InlineKeyboardButton(order.label[:MAX_BUTTON_LABEL], callback_data=_pick(order.id))]
        for order in orders[:MAX_ORDER_BUTTONS]
    ]
    none = InlineKeyboardButton(context.text("dsp_btn_no_order"), callback_data=_pick(NO_ORDER))
    rows.append([none])
    await replace_or_reply(update, context.text("dsp_pick_order"), InlineKeyboardMarkup(rows))
    return FLOW.waiting(turn, PICK)


def _pick(value: str | int) -> str:
    return FLOW.data(FlowState(), PICK, value)


async def start_for_order(update: Update, context: BotContext, order_id: int) -> int:
    """The walk for one of the user's orders, resumed from what the order already records.
    Answers the button press itself (an alert for someone else's order)."""
    state = await _resume(update, context, order_id, None)
    if state is None:
        return ConversationHandler.END
    await acknowledge(update, context)
    return await FLOW.begin(update, context, state, _intro(context, state))


def _intro(context: BotContext, state: FlowState) -> str:
    lead = context.text("dsp_intro", label=state.notes.get("label") or "")
    if any(step in state.done for step in (REASON, REFUND, EVIDENCE, WEIGHT, ESCALATE)):
        lead += "\n" + context.text("dsp_resumed")
    return lead


async def problem_pressed(update: Update, context: BotContext) -> int:
    """The order card's ⚠️ Problem: note the problem on the order, then walk through."""
    parts = ORDER_CARD.unpack(update.callback_query.data if update.callback_query else None)
    order_id = parse_number(parts[0]) if parts else None
    user = update.effective_user
    if order_id is None or user is None:
        await _refuse(update, context)
        return ConversationHandler.END
    if not await context.services.disputes.problem(user.id, order_id):
        await _refuse(update, context)
        return ConversationHandler.END
    return await start_for_order(update, context, order_id)


async def _resume(
    update: Update, context: BotContext, order_id: int, step: str | None
) -> FlowState | None:
    """The walk of one of the user's own orders, rebuilt from the order; None (and the
    press refused) for any other order id."""
    user = update.effective_user
    saved = await context.services.disputes.saved(user.id, order_id) if user else None
    if saved is None:
        await _refuse(update, context)
        return None
    state = _state_of(saved)
    state.step = step
    if step == EVIDENCE:
        state.ticked = [item.value for item in saved.evidence or ()]
    return state


async def _refuse(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await acknowledge(update, context, context.text("dsp_order_gone"), alert=True)
    else:
        await reply(update, context.text("dsp_order_gone"))


# -- the questions -----------------------------------------------------------------------------


def _reasons(turn: Turn) -> list[Choice]:
    return [
        Choice(reason.value, turn.text(f"dsp_reason_{reason}", zh=REASONS[reason].zh))
        for reason in Reason
    ]


def _refund_prompt(turn: Turn) -> str:
    reason = _reason(turn.state)
    return turn.text(
        "dsp_ask_refund",
        reason_zh=REASONS[reason].zh if reason else turn.text("dsp_closest_reason"),
        note=refund_note_zh(reason, _weight(turn.state)),
    )


def _copy(turn: Turn, *texts: str) -> list[list[InlineKeyboardButton]]:
    """One copy button per Chinese block on screen, in the order they are shown: with
    more than one, each button starts with the words of its own block."""
    shown = [text for text in (*_lead_zh(turn), *texts) if text]
    if len(shown) == 1:
        label = turn.text("dsp_btn_copy")
        return [[InlineKeyboardButton(label, copy_text=CopyTextButton(shown[0]))]]
    return [
        [
            InlineKeyboardButton(
                turn.text("dsp_btn_copy_snippet", snippet=text[:COPY_SNIPPET]),
                copy_text=CopyTextButton(text[:COPYABLE_MAX_CHARS]),
            )
            for text in shown
        ]
    ]


def _note_lead_zh(turn: Turn, text: str) -> None:
    """The Chinese in an answer's reaction shows above the next question, which then
    offers to copy it too, for as long as that question stays on screen."""
    shown_on = next(
        (q.code for q in QUESTIONS if q.code not in turn.state.done and q.applies(turn.state)),
        None,
    )
    turn.state.notes[LEAD_ZH] = {"from": turn.state.step, "on": shown_on, "text": text}


def _lead_zh(turn: Turn) -> list[str]:
    """The reaction's Chinese, while it is on screen: drawn just now by its answer, or its
    question's ticks redrawn; not once the walk moved on (Skip, Back, the next answer)."""
    saved = turn.state.notes.get(LEAD_ZH)
    parts = FLOW.unpack(turn.update.callback_query.data) if turn.update.callback_query else None
    if not isinstance(saved, dict) or parts is None:
        return []
    pressed = parts[1]
    on_screen = pressed == saved.get("from") or pressed == turn.state.step == saved.get("on")
    text = saved.get("text")
    return [text] if on_screen and isinstance(text, str) else []


def _evidence_choices(turn: Turn) -> list[Choice]:
    ticked = set(turn.state.ticked)
    return [
        Choice(item.value, turn.text(f"dsp_ev_{item}", mark="✅ " if item in ticked else "▫️ "))
        for item in Evidence
    ]


def _weight_prompt(turn: Turn) -> str:
    question = turn.text("dsp_ask_weight")
    reason = _reason(turn.state)
    if reason and REASONS[reason].weight_tells:
        question += "\n\n" + turn.text("dsp_weight_matters")
    return question


async def _typed_weight(turn: Turn, text: str) -> Outcome:
    parsed = parse_weight_input(text)
    if parsed is None:
        return Problem(turn.text("dsp_weight_bad"))
    quantity, unit, receipt = parsed
    verdict = weight_verdict(weight_check(quantity, unit, receipt), turn.language)
    return Answer([quantity, unit, receipt], lead=verdict)


def _escalate_prompt(turn: Turn) -> str:
    key = "dsp_ask_escalate" if turn.state.subject else "dsp_ask_escalate_no_order"
    return turn.text(key, days=_days(turn.context), keep_open=message_zh(Step.KEEP_OPEN))


def _remind_choice(turn: Turn) -> list[Choice]:
    if not turn.state.subject:
        return []  # without an order there is nothing to remind about
    return [Choice("remind", turn.text("dsp_btn_remind", days=_days(turn.context)))]


QUESTIONS = (
    Question(REASON, lambda turn: turn.text("dsp_ask_reason"), choices=_reasons),
    Question(
        REFUND,
        _refund_prompt,
        choices=lambda turn: [Choice("done", turn.text("dsp_btn_refunded"))],
        top_rows=lambda turn: _copy(
            turn, refund_note_zh(_reason(turn.state), _weight(turn.state))
        ),
    ),
    Question(
        EVIDENCE,
        lambda turn: turn.text("dsp_ask_evidence", message=message_zh(Step.EVIDENCE)),
        choices=_evidence_choices,
        row_sizes=(1, 1, 2),  # photos and weight share a row: short labels
        multi=True,
        top_rows=lambda turn: _copy(turn, message_zh(Step.EVIDENCE)),
    ),
    Question(WEIGHT, _weight_prompt, typed=_typed_weight),
    Question(
        ESCALATE,
        _escalate_prompt,
        choices=_remind_choice,
        top_rows=lambda turn: _copy(turn, message_zh(Step.KEEP_OPEN)),
    ),
)


# -- acting on the answers -------------------------------------------------------------------


async def _act(turn: Turn, question: Question, value: Json) -> str:
    """Each answer that matters is written to the order, so the walk can be rebuilt."""
    order_id, disputes = turn.state.subject, turn.context.services.disputes
    if question.code == REFUND:
        return await _refund_requested(turn)
    if question.code == ESCALATE:
        return await _follow_up(turn)
    if order_id is None:
        return _evidence_line(turn) if question.code == EVIDENCE else ""
    if question.code == REASON:
        await disputes.note_reason(order_id, Reason(str(value)))
    elif question.code == EVIDENCE:
        await disputes.note_evidence(order_id, _evidence(turn.state))
        return _evidence_line(turn)
    elif question.code == WEIGHT and isinstance(value, list):
        await disputes.note_weight(order_id, (int(value[0]), float(value[1]), float(value[2])))
    return ""


async def _picked(turn: Turn, value: str) -> int:
    """An order from the picker (the walk resumes from what it records), or none."""
    if value == NO_ORDER:
        await acknowledge(turn.update, turn.context)
        intro = turn.text("dsp_intro_no_order")
        return await FLOW.begin(turn.update, turn.context, FlowState(), intro)
    order_id = parse_number(value)
    if order_id is None:
        await acknowledge(turn.update, turn.context, turn.text("dsp_stale"), alert=True)
        return ConversationHandler.END
    return await start_for_order(turn.update, turn.context, order_id)


def _evidence_line(turn: Turn) -> str:
    count = len(_evidence(turn.state))
    return turn.text("dsp_evidence_saved", count=count, total=len(Evidence))


async def _refund_requested(turn: Turn) -> str:
    tell = turn.text("dsp_tell_seller", message=message_zh(Step.REFUND))
    _note_lead_zh(turn, message_zh(Step.REFUND))
    user, order_id = turn.update.effective_user, turn.state.subject
    if order_id is None or user is None:
        return f"{turn.text('dsp_refund_noted')}\n{tell}"
    record = await turn.context.services.disputes.refund(user.id, order_id)
    if record.paused_at is not None:
        turn.state.notes["refund_at"] = record.paused_at.isoformat()
    return f"{turn.text(_REFUND_STATUS[record.outcome])}\n{tell}"


async def _follow_up(turn: Turn) -> str:
    user, order_id = turn.update.effective_user, turn.state.subject
    due = None
    if order_id is not None and user is not None:
        due = await turn.context.services.disputes.follow_up(
            user.id,
            order_id,
            refund_requested_at=_moment(turn.state, "refund_at"),
            response_days=turn.context.settings.dispute_seller_response_days,
        )
    if due is None:
        return turn.text("dsp_order_gone")
    turn.state.notes["followup_at"] = due.isoformat()
    return ""  # the summary that follows shows when


def weight_verdict(check: WeightCheck, language: str) -> str:
    return translate(
        language,
        f"dsp_weight_{check.verdict}",
        expected=f"{check.expected_kg:.1f}",
        actual=f"{check.actual_kg:.1f}",
        difference=f"{check.difference_kg:+.1f}",
        pct=f"{check.difference_pct:+.0f}",
        units=check.missing_units,
    )


# -- the summary and the buttons under it ----------------------------------------------------


def _parcel_flags(state: FlowState) -> list[str]:
    flags = state.notes.get("parcel_flags")
    return [code for code in flags if isinstance(code, str)] if isinstance(flags, list) else []


async def _summary(turn: Turn, lead: str) -> None:
    state = turn.state
    pack = evidence_pack(
        reason=_reason(state),
        evidence=_evidence(state),
        weight=_weight(state),
        order_number=state.notes.get("order_number"),
        refund_requested=state.answer(REFUND) is not None,
        logistics_flags=_parcel_flags(state),
    )
    text = "\n\n".join(part for part in (lead, summary_text(turn, pack)) if part)
    await replace_or_reply(turn.update, text, _summary_keyboard(turn, pack))


def summary_text(turn: Turn, pack: str) -> str:
    """Where the dispute stands and the case to paste on one screen; what is still worth
    getting, the weight maths and the next steps in a quote that opens on a tap."""
    state, context = turn.state, turn.context
    reason = _reason(state)
    have = _evidence(state)
    if _weight(state) is not None:
        have = [item for item in Evidence if item in {*have, Evidence.WEIGHT}]
    missing = [item for item in Evidence if item not in have]
    label = state.notes.get("label") or turn.text("dsp_no_order_label")
    lines = [
        turn.text("dsp_sum_title", label=label),
        turn.text("dsp_sum_reason", reason=_reason_label(turn, reason))
        if reason
        else turn.text("dsp_sum_reason_none"),
        turn.text("dsp_sum_refund_yes" if state.answer(REFUND) else "dsp_sum_refund_no"),
        turn.text("dsp_sum_evidence", items=_short_names(turn, have) or "–"),
    ]
    followup = _moment(state, "followup_at")
    if followup is not None:
        zone = zone_for(context.state.timezone, context.settings.default_timezone)
        lines.append(
            turn.text("dsp_sum_followup", when=format_local(followup, zone, turn.language))
        )
    lines.append(turn.text("dsp_sum_pack", pack=pack))
    details = []
    if missing:
        details.append(turn.text("dsp_sum_missing", items=_short_names(turn, missing)))
    weight = _weight(state)
    if weight is not None:
        details.append(weight_verdict(weight, turn.language))
    follow_up_zh = message_zh(Step.FOLLOW_UP)
    details.append(turn.text("dsp_sum_next", days=_days(context), follow_up=follow_up_zh))
    lines.append(f"{QUOTE_OPEN}{chr(10).join(details)}{QUOTE_CLOSE}")
    return "\n".join(lines)


def _reason_label(turn: Turn, reason: Reason) -> str:
    return turn.text(f"dsp_reason_{reason}", zh=REASONS[reason].zh)


def _short_names(turn: Turn, items: list[Evidence]) -> str:
    return ", ".join(turn.text(f"dsp_evs_{item}") for item in items)


def _summary_keyboard(turn: Turn, pack: str) -> InlineKeyboardMarkup:
    rows = _copy(turn, pack, message_zh(Step.FOLLOW_UP))
    order_id = turn.state.subject
    if order_id:
        again = FLOW.data(turn.state, SUMMARY, "again")
        card = ORDER_CARD.pack(order_id, "card")
        rows.append([InlineKeyboardButton(turn.text("dsp_btn_again"), callback_data=again)])
        rows.append([InlineKeyboardButton(turn.text("dsp_btn_card"), callback_data=card)])
    menu = InlineKeyboardButton(turn.text("btn_menu"), callback_data=routes.MENU.pack("show"))
    rows.append([menu])
    return InlineKeyboardMarkup(rows)


async def _other_button(turn: Turn, step: str, value: str) -> int:
    """The order picker, "Go through again" under the summary, and the follow-up
    reminder's "Open"."""
    if step == PICK:
        return await _picked(turn, value)
    if step == SUMMARY and value == "again":
        await acknowledge(turn.update, turn.context)
        turn.state.done, turn.state.history = [], []
        return await FLOW.ask_next(turn)
    if step == OPEN and value == "go" and turn.state.subject is not None:
        return await start_for_order(turn.update, turn.context, turn.state.subject)
    await acknowledge(turn.update, turn.context, turn.text("dsp_stale"), alert=True)
    return ConversationHandler.END


async def _rebuilt(
    update: Update, context: BotContext, order_id: int, step: str
) -> FlowState | None:
    return await _resume(update, context, order_id, step)


def _kept_on_cancel(turn: Turn) -> str | None:
    """What the walk already wrote on the order, which /cancel does not undo."""
    if turn.state.subject is None:
        return None
    recorded = [
        turn.text(f"dsp_kept_{key}")
        for step, key in (
            (REASON, "reason"),
            (REFUND, "refund"),
            (EVIDENCE, "evidence"),
            (WEIGHT, "weight"),
            (ESCALATE, "followup"),
        )
        if turn.state.answer(step) is not None
    ]
    if not recorded:
        return None
    label = turn.state.notes.get("label") or ""
    return turn.text("dsp_cancel_kept", label=label, items=", ".join(recorded))


# -- the follow-up reminder -------------------------------------------------------------------


class DisputedOrder(Protocol):
    """What a follow-up reminder shows of its order."""

    @property
    def id(self) -> int: ...

    @property
    def label(self) -> str: ...

    @property
    def state(self) -> OrderState: ...


def render_dispute_reminder(order: DisputedOrder, row: ReminderRow, language: str) -> str | None:
    """The text of a `dispute_followup` reminder; None once the dispute is over (the order
    was closed or accepted), so the engine cancels it."""
    if order.state in _DISPUTE_OVER:
        return None
    key = (
        "dsp_reminder_intervention"
        if order.state == OrderState.PLATFORM_INTERVENTION
        else "dsp_reminder_check"
    )
    text = translate(language, key, label=order.label, escalate=message_zh(Step.ESCALATE))
    if row.in_doubt:
        text = translate(language, "dsp_reminder_repeat") + "\n" + text
    return text


def dispute_reminder_keyboard(order: DisputedOrder, language: str) -> InlineKeyboardMarkup:
    """Buttons for the follow-up: the complaint to copy (while the seller is the one to
    answer), back into the walk, or the order card."""
    rows = []
    if order.state != OrderState.PLATFORM_INTERVENTION:
        copy = CopyTextButton(message_zh(Step.ESCALATE))
        rows.append([InlineKeyboardButton(translate(language, "dsp_btn_copy"), copy_text=copy)])
    walk = InlineKeyboardButton(
        translate(language, "dsp_btn_open"),
        callback_data=FLOW.data(FlowState(subject=order.id), OPEN, "go"),
    )
    card = InlineKeyboardButton(
        translate(language, "dsp_btn_card"), callback_data=ORDER_CARD.pack(order.id, "card")
    )
    return InlineKeyboardMarkup([*rows, [walk], [card]])


# -- wiring --------------------------------------------------------------------------------------

FLOW = GuidedFlow(
    name="dispute",
    route=routes.DISPUTE,
    questions=QUESTIONS,
    texts=FlowTexts(
        stale="dsp_stale",
        use_buttons="dsp_use_buttons",
        skip="dsp_btn_skip",
        done="dsp_btn_done",
        expired="dsp_expired",
    ),
    finish=_summary,
    with_subject=True,
    keep_after_finish=True,
    on_answer=_act,
    on_button=_other_button,
    resume=_rebuilt,
    on_cancel=_kept_on_cancel,
)


def conversation(fallbacks: list[AnyHandler]) -> StoredConversation:
    """Register before the order card's other buttons: ⚠️ Problem starts this walk."""
    return FLOW.conversation(
        entry_points=[
            CommandHandler("dispute", dispute_command),
            CallbackQueryHandler(dispute_command, pattern=routes.MENU.exact("dispute")),
            CallbackQueryHandler(problem_pressed, pattern=PROBLEM_BUTTON),
        ],
        fallbacks=fallbacks,
    )
