"""/dispute: the walkthrough for an order that went wrong, from 申请退款 to 申请客服介入.

Steps: the reason to pick on 1688 → "I clicked 申请退款" (pauses the order's escrow clock)
→ evidence checklist → optional weight check → keep the refund open / when to escalate,
with a follow-up reminder → a summary with the Chinese case text. Every step can be
skipped. See disputes.mmd.

The walk in progress lives in `context.state.flow["dispute"]` (kept in the database with
the conversation, bot/runtime/persistence.py); each answer that matters is also recorded on
the order by bot.services.disputes, and the walk is rebuilt from there when the draft is
gone (an expired conversation, a button on an old message).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import AnyHandler, BotContext
from bot.domain.disputes import (
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
from bot.services import disputes as dispute_service
from bot.services import orders as order_service
from bot.services.disputes import RefundOutcome, SavedDispute
from handlers import routes
from handlers.callback_data import parse_number
from handlers.conversation import StoredConversation
from handlers.guided import FRESH, TYPED_TEXT
from handlers.replies import acknowledge, replace_or_reply, reply
from handlers.routes import MENU

ANSWER = routes.DISPUTE  # dsp|<order id, 0 without one>|<step>|<value>
# The order card's route (handlers.orders.CARD). Not imported: handlers.orders imports this
# module to render dispute reminders. tests/e2e/test_disputes.py checks the two agree.
ORDER_CARD = routes.ORDER_CARD
PROBLEM_BUTTON = re.compile(rf"^{ORDER_CARD.prefix}\|\d+\|problem$")
ASKING = 1
NO_ORDER = 0
SKIP = "skip"
FLOW_KEY = "dispute"
# handlers.orders renders reminders of this kind with render_dispute_reminder.
REMINDER_KIND = FOLLOWUP_REMINDER_KIND
MAX_ORDER_BUTTONS = 20
MAX_BUTTON_LABEL = 40

# The handler's steps; PICK comes before the walk, SUMMARY after it, OPEN is the button
# on a follow-up reminder.
PICK, REASON, REFUND, EVIDENCE, WEIGHT, ESCALATE = (
    "order",
    "reason",
    "refund",
    "evidence",
    "weight",
    "escalate",
)
SUMMARY, OPEN = "summary", "open"
WALK = (REASON, REFUND, EVIDENCE, WEIGHT, ESCALATE)
_REASON_CODES = frozenset(reason.value for reason in Reason)
_EVIDENCE_CODES = frozenset(item.value for item in Evidence)
_DISPUTE_OVER = (OrderState.CLOSED, OrderState.INSPECTED_OK)
_REFUND_STATUS = {
    RefundOutcome.ORDER_GONE: "dsp_order_gone",
    RefundOutcome.ALREADY_OPEN: "dsp_refund_already",
    RefundOutcome.PAUSED: "dsp_refund_paused",
    RefundOutcome.NOT_NOW: "dsp_refund_not_now",
}


@dataclass
class Draft:
    """The walk for one order (or for none), as kept in the user's flow state."""

    order_id: int | None = None
    label: str | None = None
    order_number: str | None = None
    reason: str | None = None
    refund: bool = False
    refund_at: str | None = None
    evidence: list[str] | None = None  # None: the checklist was never confirmed
    ticked: list[str] = field(default_factory=list)
    weight: list[float] | None = None  # quantity, unit weight g, receipt kg
    followup_at: str | None = None
    asked: list[str] = field(default_factory=list)
    current: str | None = None
    revisit: bool = False  # walking again: answered steps are asked too

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, saved: dict[str, Any]) -> Draft:
        known = {name: saved[name] for name in cls.__dataclass_fields__ if name in saved}
        return cls(**known)

    def answered(self, step: str) -> bool:
        return {
            REASON: self.reason is not None,
            REFUND: self.refund,
            EVIDENCE: self.evidence is not None,
            WEIGHT: self.weight is not None,
            ESCALATE: self.followup_at is not None,
        }.get(step, False)

    @property
    def reason_code(self) -> Reason | None:
        return Reason(self.reason) if self.reason in _REASON_CODES else None

    @property
    def weight_result(self) -> WeightCheck | None:
        if not self.weight:
            return None
        quantity, unit, receipt = self.weight
        return weight_check(int(quantity), unit, receipt)


def _load(context: BotContext) -> Draft | None:
    saved = context.state.flow.get(FLOW_KEY)
    return Draft.from_json(saved) if isinstance(saved, dict) else None


def _store(context: BotContext, draft: Draft) -> None:
    context.state.flow[FLOW_KEY] = draft.to_json()


def _days_text(days: float) -> str:
    return f"{days:g}"


# -- the order's saved dispute ---------------------------------------------------------------


def _draft_from(saved: SavedDispute) -> Draft:
    weight = saved.weight
    return Draft(
        order_id=saved.order_id,
        label=saved.label,
        order_number=saved.order_number,
        reason=saved.reason.value if saved.reason else None,
        refund=saved.refund_requested,
        refund_at=_isoformat(saved.refund_requested_at),
        evidence=None if saved.evidence is None else [item.value for item in saved.evidence],
        weight=[float(weight[0]), weight[1], weight[2]] if weight else None,
        followup_at=_isoformat(saved.followup_at),
    )


def _isoformat(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def _saved_dispute(
    update: Update, context: BotContext, order_id: int | None
) -> SavedDispute | None:
    """The dispute of one of the user's own orders; None for any other order id."""
    user = update.effective_user
    if order_id is None or user is None:
        return None
    async with context.session() as session:
        return await dispute_service.saved_dispute(session, user.id, order_id)


# -- entries ---------------------------------------------------------------------------------


async def dispute_command(update: Update, context: BotContext) -> int:
    """/dispute or the menu: pick one of the open orders, or go on without one."""
    await acknowledge(update, context)
    context.state.flow.pop(FLOW_KEY, None)
    user = update.effective_user
    if user is None:
        return ConversationHandler.END
    async with context.session() as session:
        orders = list(await order_service.open_orders(session, user.id))
    if not orders:
        return await _ask_next(update, context, Draft(), context.text("dsp_intro_no_order"))
    _store(context, Draft(current=PICK))
    rows = [
        [InlineKeyboardButton(o.label[:MAX_BUTTON_LABEL], callback_data=_data(None, PICK, o.id))]
        for o in orders[:MAX_ORDER_BUTTONS]
    ]
    none = InlineKeyboardButton(
        context.text("dsp_btn_no_order"), callback_data=_data(None, PICK, "none")
    )
    rows.append([none])
    await replace_or_reply(update, context.text("dsp_pick_order"), InlineKeyboardMarkup(rows))
    return ASKING


async def start_for_order(update: Update, context: BotContext, order_id: int) -> int:
    """The walk for one of the user's orders, resumed from what the order already records.

    Answers the button press itself (an alert for someone else's order), so callers must not.
    Returns this conversation's state: call it only from a handler of this conversation
    (`conversation()` has an entry for the order card's ⚠️ Problem button)."""
    saved = await _saved_dispute(update, context, order_id)
    if saved is None:
        await _refuse(update, context)
        return ConversationHandler.END
    draft = _draft_from(saved)
    await acknowledge(update, context)
    lead = context.text("dsp_intro", label=draft.label or "")
    if any(draft.answered(step) for step in WALK):
        lead += "\n" + context.text("dsp_resumed")
    return await _ask_next(update, context, draft, lead)


async def problem_pressed(update: Update, context: BotContext) -> int:
    """The order card's ⚠️ Problem: note the problem on the order, then walk through."""
    parts = ORDER_CARD.unpack(update.callback_query.data if update.callback_query else None)
    order_id = parse_number(parts[0]) if parts else None
    user = update.effective_user
    due: list[datetime] | None = None
    if order_id is not None and user is not None:
        async with context.session() as session, session.begin():
            due = await dispute_service.report_problem(
                session, user.id, order_id, context.clock.now(), context.services.reminder_policy
            )
    if due is None or order_id is None:
        await _refuse(update, context)
        return ConversationHandler.END
    context.services.note_new_reminders(due)
    return await start_for_order(update, context, order_id)


async def _refuse(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await acknowledge(update, context, context.text("dsp_order_gone"), alert=True)
    else:
        await reply(update, context.text("dsp_order_gone"))


# -- asking ------------------------------------------------------------------------------------


def _data(order_id: int | None, step: str, value: str | int) -> str:
    return ANSWER.pack(order_id or NO_ORDER, step, value)


def _next_step(draft: Draft) -> str | None:
    for step in WALK:
        if step in draft.asked or (draft.answered(step) and not draft.revisit):
            continue
        return step
    return None


async def _ask_next(update: Update, context: BotContext, draft: Draft, lead: str = "") -> int:
    step = _next_step(draft)
    if step is None:
        await _finish(update, context, draft, lead)
        return ConversationHandler.END
    draft.current = step
    if step == EVIDENCE:
        draft.ticked = list(draft.evidence or [])
    _store(context, draft)
    text = "\n\n".join(part for part in (lead, _question(context, draft, step)) if part)
    # One message per walk: each step replaces the previous one when a button was pressed.
    await replace_or_reply(update, text, _keyboard(context, draft, step))
    return ASKING


def _question(context: BotContext, draft: Draft, step: str) -> str:
    days = _days_text(context.settings.dispute_seller_response_days)
    reason = draft.reason_code
    if step == REASON:
        return context.text("dsp_ask_reason")
    if step == REFUND:
        return context.text(
            "dsp_ask_refund",
            reason_zh=REASONS[reason].zh if reason else context.text("dsp_closest_reason"),
            note=refund_note_zh(reason, draft.weight_result),
        )
    if step == EVIDENCE:
        return context.text("dsp_ask_evidence", message=message_zh(Step.EVIDENCE))
    if step == WEIGHT:
        question = context.text("dsp_ask_weight")
        if reason and REASONS[reason].weight_tells:
            question += "\n\n" + context.text("dsp_weight_matters")
        return question
    key = "dsp_ask_escalate" if draft.order_id else "dsp_ask_escalate_no_order"
    return context.text(key, days=days, keep_open=message_zh(Step.KEEP_OPEN))


def _keyboard(context: BotContext, draft: Draft, step: str) -> InlineKeyboardMarkup:
    def button(key: str, value: str, **values: object) -> list[InlineKeyboardButton]:
        text = context.text(key, **values)
        return [InlineKeyboardButton(text, callback_data=_data(draft.order_id, step, value))]

    rows: list[list[InlineKeyboardButton]] = []
    if step == REASON:
        rows += [button(f"dsp_reason_{r}", r, zh=REASONS[r].zh) for r in Reason]
    elif step == REFUND:
        rows.append(_copy(context, refund_note_zh(draft.reason_code, draft.weight_result)))
        rows.append(button("dsp_btn_refunded", "done"))
    elif step == EVIDENCE:
        ticked = set(draft.ticked)
        for item in Evidence:
            mark = "✅ " if item in ticked else "▫️ "
            rows.append(button(f"dsp_ev_{item}", item, mark=mark))
        rows.append(button("dsp_btn_done", "done"))
        rows.append(_copy(context, message_zh(Step.EVIDENCE)))
    elif step == ESCALATE:
        rows.append(_copy(context, message_zh(Step.KEEP_OPEN)))
        if draft.order_id:
            days = _days_text(context.settings.dispute_seller_response_days)
            rows.append(button("dsp_btn_remind", "remind", days=days))
    rows.append(button("dsp_btn_skip", SKIP))
    return InlineKeyboardMarkup(rows)


def _copy(context: BotContext, text: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(context.text("dsp_btn_copy"), copy_text=CopyTextButton(text))]


# -- answering ---------------------------------------------------------------------------------


async def button_answer(update: Update, context: BotContext) -> int:
    parts = ANSWER.unpack(update.callback_query.data if update.callback_query else None)
    draft = _load(context)
    number = parse_number(parts[0]) if parts else None
    if parts is None or number is None:
        await acknowledge(update, context, context.text("dsp_stale"), alert=True)
        return ASKING if draft else ConversationHandler.END
    order_id, step, value = number or None, parts[1], parts[2]
    if step == PICK:
        return await _picked(update, context, value)
    if step == OPEN:
        return await start_for_order(update, context, order_id or NO_ORDER)
    if draft is None or draft.order_id != order_id:
        draft = await _rebuild(update, context, order_id, step)
        if draft is None:
            return ConversationHandler.END
    if step != draft.current:
        await acknowledge(update, context, context.text("dsp_stale"), alert=True)
        return ASKING
    return await _dispatch(update, context, draft, step, value)


async def _rebuild(
    update: Update, context: BotContext, order_id: int | None, step: str
) -> Draft | None:
    """The walk from the order's saved events, for a button whose walk is not in memory."""
    if order_id is None:
        await acknowledge(update, context, context.text("dsp_expired"), alert=True)
        return None
    saved = await _saved_dispute(update, context, order_id)
    if saved is None:
        await _refuse(update, context)
        return None
    draft = _draft_from(saved)
    draft.current = step
    if step == EVIDENCE:
        draft.ticked = list(draft.evidence or [])
    _store(context, draft)
    return draft


async def _picked(update: Update, context: BotContext, value: str) -> int:
    if value == "none":
        await acknowledge(update, context)
        return await _ask_next(update, context, Draft(), context.text("dsp_intro_no_order"))
    order_id = parse_number(value)
    if order_id is None:
        await acknowledge(update, context, context.text("dsp_stale"), alert=True)
        return ASKING
    return await start_for_order(update, context, order_id)


async def _dispatch(
    update: Update, context: BotContext, draft: Draft, step: str, value: str
) -> int:
    if step == EVIDENCE and value in _EVIDENCE_CODES:
        return await _toggle(update, context, draft, value)
    allowed = {
        REASON: {*_REASON_CODES, SKIP},
        REFUND: {"done", SKIP},
        EVIDENCE: {"done", SKIP},
        WEIGHT: {SKIP},
        ESCALATE: {"remind", SKIP},
        SUMMARY: {"again"},
    }.get(step, set())
    if value not in allowed:
        await acknowledge(update, context, context.text("dsp_stale"), alert=True)
        return ASKING
    await acknowledge(update, context)
    if step == SUMMARY:
        walk_again = Draft(**{**draft.to_json(), "asked": [], "revisit": True})
        return await _ask_next(update, context, walk_again)
    if value != SKIP:
        lead = await _ANSWERS[step](update, context, draft, value)
    else:
        lead = ""
    draft.asked.append(step)
    return await _ask_next(update, context, draft, lead)


async def _answer_reason(update: Update, context: BotContext, draft: Draft, value: str) -> str:
    draft.reason = value
    if draft.order_id:
        async with context.session() as session, session.begin():
            dispute_service.log_reason(session, draft.order_id, Reason(value), context.clock.now())
    return ""


async def _answer_refund(update: Update, context: BotContext, draft: Draft, value: str) -> str:
    draft.refund = True
    status = await _record_refund(update, context, draft)
    tell = context.text("dsp_tell_seller", message=message_zh(Step.REFUND))
    return f"{context.text(status)}\n{tell}"


async def _record_refund(update: Update, context: BotContext, draft: Draft) -> str:
    """Pause the order's clock; returns the catalogue key saying what happened."""
    user = update.effective_user
    if not draft.order_id:
        return "dsp_refund_noted"
    if user is None:
        return "dsp_order_gone"
    async with context.session() as session, session.begin():
        record = await dispute_service.record_refund(
            session, user.id, draft.order_id, context.clock.now(), context.services.reminder_policy
        )
    context.services.note_new_reminders(record.new_reminders)
    if record.paused_at is not None:
        draft.refund_at = record.paused_at.isoformat()
    return _REFUND_STATUS[record.outcome]


async def _answer_evidence(update: Update, context: BotContext, draft: Draft, value: str) -> str:
    evidence = [item for item in Evidence if item in set(draft.ticked)]
    draft.evidence = [item.value for item in evidence]
    if draft.order_id:
        async with context.session() as session, session.begin():
            dispute_service.log_evidence(session, draft.order_id, evidence, context.clock.now())
    return context.text("dsp_evidence_saved", count=len(draft.evidence), total=len(Evidence))


async def _answer_escalate(update: Update, context: BotContext, draft: Draft, value: str) -> str:
    user = update.effective_user
    due: datetime | None = None
    if draft.order_id and user is not None:
        async with context.session() as session, session.begin():
            due = await dispute_service.plan_followup(
                session,
                user.id,
                draft.order_id,
                refund_requested_at=_from_isoformat(draft.refund_at),
                response_days=context.settings.dispute_seller_response_days,
                now=context.clock.now(),
            )
    if due is None:
        return context.text("dsp_order_gone")
    context.services.note_new_reminders([due])
    draft.followup_at = due.isoformat()
    return ""  # the summary that follows shows when


def _from_isoformat(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


_ANSWERS = {
    REASON: _answer_reason,
    REFUND: _answer_refund,
    EVIDENCE: _answer_evidence,
    ESCALATE: _answer_escalate,
}


async def _toggle(update: Update, context: BotContext, draft: Draft, value: str) -> int:
    ticked = set(draft.ticked) ^ {value}
    draft.ticked = [item for item in Evidence if item in ticked]
    _store(context, draft)
    await acknowledge(update, context)
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        await query.message.edit_reply_markup(_keyboard(context, draft, EVIDENCE))
    return ASKING


async def typed_answer(update: Update, context: BotContext) -> int:
    """Typed text: the weight figures when the weight step is open."""
    message = update.effective_message
    text = ((message.text or "") if message else "").strip()
    draft = _load(context)
    if draft is None or draft.current != WEIGHT:
        return await not_understood(update, context)
    parsed = parse_weight_input(text)
    if parsed is None:
        await reply(update, context.text("dsp_weight_bad"), _keyboard(context, draft, WEIGHT))
        return ASKING
    quantity, unit, receipt = parsed
    check = weight_check(quantity, unit, receipt)
    draft.weight = [float(quantity), unit, receipt]
    if draft.order_id:
        async with context.session() as session, session.begin():
            dispute_service.log_weight(session, draft.order_id, parsed, context.clock.now())
    draft.asked.append(WEIGHT)
    return await _ask_next(update, context, draft, weight_verdict(check, context.language))


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


async def not_understood(update: Update, context: BotContext) -> int:
    draft = _load(context)
    step = draft.current if draft else None
    if draft is not None and step == PICK:
        await reply(update, context.text("dsp_use_buttons"))
        return ASKING
    if draft is None or step is None or step not in WALK:
        await reply(update, context.text("dsp_expired"))
        return ConversationHandler.END
    await reply(update, context.text("dsp_use_buttons"), _keyboard(context, draft, step))
    return ASKING


# -- the summary ----------------------------------------------------------------------------------


async def _finish(update: Update, context: BotContext, draft: Draft, lead: str) -> None:
    draft.current = SUMMARY
    draft.revisit = False
    _store(context, draft)
    pack = evidence_pack(
        reason=draft.reason_code,
        evidence=[Evidence(item) for item in draft.evidence or []],
        weight=draft.weight_result,
        order_number=draft.order_number,
        refund_requested=draft.refund,
    )
    text = "\n\n".join(part for part in (lead, summary_text(draft, pack, context)) if part)
    await replace_or_reply(update, text, _summary_keyboard(context, draft, pack))


def summary_text(draft: Draft, pack: str, context: BotContext) -> str:
    reason = draft.reason_code
    have = [item for item in Evidence if item in set(draft.evidence or [])]
    if draft.weight:
        have = [item for item in Evidence if item in {*have, Evidence.WEIGHT}]
    missing = [item for item in Evidence if item not in have]
    lines = [
        context.text("dsp_sum_title", label=draft.label or context.text("dsp_no_order_label")),
        context.text("dsp_sum_reason", reason=_reason_label(context, reason))
        if reason
        else context.text("dsp_sum_reason_none"),
        context.text("dsp_sum_refund_yes" if draft.refund else "dsp_sum_refund_no"),
        context.text("dsp_sum_evidence", items=_names(context, have) or "–"),
    ]
    if missing:
        lines.append(context.text("dsp_sum_missing", items=_names(context, missing)))
    if draft.weight_result is not None:
        lines.append(weight_verdict(draft.weight_result, context.language))
    if draft.followup_at:
        zone = zone_for(context.state.timezone, context.settings.default_timezone)
        when = format_local(datetime.fromisoformat(draft.followup_at), zone, context.language)
        lines.append(context.text("dsp_sum_followup", when=when))
    days = _days_text(context.settings.dispute_seller_response_days)
    lines.append(context.text("dsp_sum_next", days=days, follow_up=message_zh(Step.FOLLOW_UP)))
    lines.append(context.text("dsp_sum_pack", pack=pack))
    return "\n".join(lines)


def _reason_label(context: BotContext, reason: Reason) -> str:
    return context.text(f"dsp_reason_{reason}", zh=REASONS[reason].zh)


def _names(context: BotContext, items: list[Evidence]) -> str:
    return ", ".join(context.text(f"dsp_ev_{item}", mark="").strip() for item in items)


def _summary_keyboard(context: BotContext, draft: Draft, pack: str) -> InlineKeyboardMarkup:
    rows = [_copy(context, pack)]
    if draft.order_id:
        again = _data(draft.order_id, SUMMARY, "again")
        card = ORDER_CARD.pack(draft.order_id, "card")
        rows.append([InlineKeyboardButton(context.text("dsp_btn_again"), callback_data=again)])
        rows.append([InlineKeyboardButton(context.text("dsp_btn_card"), callback_data=card)])
    menu = InlineKeyboardButton(context.text("btn_menu"), callback_data=MENU.pack("show"))
    rows.append([menu])
    return InlineKeyboardMarkup(rows)


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
    """Buttons for the follow-up: back into the walk, or the order card."""
    walk = InlineKeyboardButton(
        translate(language, "dsp_btn_open"), callback_data=ANSWER.pack(order.id, OPEN, "go")
    )
    card = InlineKeyboardButton(
        translate(language, "dsp_btn_card"), callback_data=ORDER_CARD.pack(order.id, "card")
    )
    return InlineKeyboardMarkup([[walk], [card]])


# -- wiring --------------------------------------------------------------------------------------

_FRESH_TEXT = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED


def conversation(fallbacks: list[AnyHandler]) -> ConversationHandler[BotContext]:
    """Register before orders.conversation: the card's ⚠️ Problem button starts this walk."""
    entry_points: list[AnyHandler] = [
        CommandHandler("dispute", dispute_command),
        CallbackQueryHandler(dispute_command, pattern=MENU.exact("dispute")),
        CallbackQueryHandler(problem_pressed, pattern=PROBLEM_BUTTON),
        # Buttons of a walk whose conversation ended (a restart, a timeout) still work.
        CallbackQueryHandler(button_answer, pattern=ANSWER.pattern),
    ]
    return StoredConversation(
        name="dispute",
        entry_points=entry_points,
        states={
            ASKING: [
                CallbackQueryHandler(button_answer, pattern=ANSWER.pattern),
                MessageHandler(TYPED_TEXT, typed_answer),
                MessageHandler(~filters.COMMAND & FRESH, not_understood),
            ]
        },
        fallbacks=fallbacks,
        idle_timeout=timedelta(minutes=60),
    )
