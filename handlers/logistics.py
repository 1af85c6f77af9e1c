"""A logistics trace (物流详情) pasted or photographed: what does not add up, with the
evidence, the next step, and a signing recorded on the tracked order it belongs to.

See logistics.mmd for the flow.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import (
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.context import AnyHandler, BotContext
from bot.domain.disputes import COPYABLE_MAX_CHARS
from bot.domain.logistics import looks_like_trace, seller_message, service_message
from bot.domain.payments.checker import Verdict, classify_payment
from bot.render.logistics import render_parcel_check
from bot.services.parcels import ParcelCheck
from handlers import routes
from handlers.conversation import StoredConversation
from handlers.guided import (
    TYPED_TEXT,
    Choice,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Json,
    Question,
    Turn,
    catalogue_prompt,
)
from handlers.replies import acknowledge, reply

ACT = "act"  # the flow's buttons that answer no question: messages, warehouse
NOT_TRACKED = "none"
# Order buttons go two to a row (the "which order?" question fits one screen): a name
# longer than half a phone line would be cut by Telegram anyway.
MAX_LABEL = 16


def is_trace(text: str) -> bool:
    """A trace, and no payment request the checker has a verdict on."""
    return looks_like_trace(text) and classify_payment(text).verdict is Verdict.UNCLEAR


class _Trace(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return is_trace(message.text or "")


TRACE = _Trace(name="Trace")


async def trace_pasted(update: Update, context: BotContext) -> int:
    text = (update.effective_message.text or "") if update.effective_message else ""
    return await trace_seen(update, context, text)


async def trace_seen(update: Update, context: BotContext, text: str) -> int:
    """A trace's text, pasted or read off a screenshot (handlers/payments.py)."""
    user = update.effective_user
    if user is None:
        return ConversationHandler.END
    check = await context.services.parcels.check(user.id, text)
    state = FlowState()
    state.notes["text"] = text[:20_000]
    if check.trace.signed and check.order is None and check.candidates:
        state.notes["candidates"] = [[order_id, label] for order_id, label in check.candidates]
    state.notes["flags"] = len(check.flags)
    state.notes["warehouse"] = check.warehouse is not None
    turn = FLOW.turn(update, context, state)
    return await FLOW.ask_next(turn, _rendered(context, check))


def _rendered(context: BotContext, check: ParcelCheck) -> str:
    order = check.order.order if check.order else None
    return render_parcel_check(
        check.trace,
        check.flags,
        language=context.language,
        now=context.clock.now(),
        has_warehouse=check.warehouse is not None,
        order_label=order.label if order else None,
        new_deadline=order.deadline_at if order and check.signed_recorded else None,
    )


def _order_choices(turn: Turn) -> list[Choice]:
    candidates = turn.state.notes.get("candidates")
    choices = [
        Choice(f"o{pair[0]}", f"📦 {str(pair[1])[:MAX_LABEL]}")
        for pair in candidates or []
        if isinstance(pair, list) and len(pair) == 2
    ]
    return [*choices, Choice(NOT_TRACKED, turn.text("trace_btn_not_tracked"))]


def _has_candidates(state: FlowState) -> bool:
    return bool(state.notes.get("candidates"))


def _action_rows(turn: Turn) -> list[list[InlineKeyboardButton]]:
    rows = []
    if turn.state.notes.get("flags"):
        rows.append(_action(turn, "msgs", "trace_btn_messages"))
    if not turn.state.notes.get("warehouse"):
        data = routes.MENU.pack("warehouse")
        rows.append([InlineKeyboardButton(turn.text("trace_btn_warehouse"), callback_data=data)])
    return rows


def _action(turn: Turn, value: str, key: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(turn.text(key), callback_data=FLOW.data(turn.state, ACT, value))]


async def _finished(turn: Turn, lead: str) -> None:
    """No order to choose (the result alone), or the order was chosen: checked again as
    that order's parcel."""
    chosen: Json = turn.state.answer("order")
    user = turn.update.effective_user
    if isinstance(chosen, str) and chosen.startswith("o") and user is not None:
        order_id = int(chosen[1:]) if chosen[1:].isdigit() else None
        text = str(turn.state.notes.get("text") or "")
        check = await turn.context.services.parcels.check(user.id, text, order_id=order_id)
        turn.state.notes["candidates"] = []
        await reply(turn.update, _rendered(turn.context, check), _keyboard(turn))
        return
    if chosen == NOT_TRACKED:
        await acknowledge(turn.update, turn.context, turn.text("trace_not_linked"))
        return
    await reply(turn.update, lead, _keyboard(turn))


def _keyboard(turn: Turn) -> InlineKeyboardMarkup | None:
    rows = _action_rows(turn)
    return InlineKeyboardMarkup(rows) if rows else None


async def _other_button(turn: Turn, step: str, value: str) -> int:
    """✉️ The messages for the seller and for 1688, built from the trace kept in the flow."""
    if step != ACT or value != "msgs":
        await acknowledge(turn.update, turn.context, turn.text("button_expired_alert"), alert=True)
        return ConversationHandler.END
    await acknowledge(turn.update, turn.context)
    user = turn.update.effective_user
    text = str(turn.state.notes.get("text") or "")
    if user is None or not text:
        return ConversationHandler.END
    check = await turn.context.services.parcels.check(user.id, text)
    city = check.warehouse.city if check.warehouse else None
    number = check.order.order.order_number if check.order else None
    seller = seller_message(check.flags, check.trace, warehouse_city=city)
    service = service_message(check.flags, check.trace, warehouse_city=city, order_no=number)
    await reply(
        turn.update,
        turn.text("trace_messages", seller=seller, service=service),
        _copy_buttons(
            turn, [("trace_btn_copy_seller", seller), ("trace_btn_copy_service", service)]
        ),
    )
    return ConversationHandler.END


def _copy_buttons(turn: Turn, texts: list[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """A copy button for each Chinese text, side by side; Telegram copies at most
    COPYABLE_MAX_CHARS, so a longer one stays tap-to-copy in the message only."""
    row = [
        InlineKeyboardButton(turn.text(key), copy_text=CopyTextButton(text))
        for key, text in texts
        if len(text) <= COPYABLE_MAX_CHARS
    ]
    return InlineKeyboardMarkup([row]) if row else None


FLOW = GuidedFlow(
    name="trace",
    route=routes.TRACE,
    questions=(
        Question(
            "order",
            catalogue_prompt("trace_which_order"),
            choices=_order_choices,
            row_sizes=(2,) * 3,  # five orders and "not one I track" in three rows
            applies=_has_candidates,
            skippable=False,
            extra_rows=_action_rows,
        ),
    ),
    texts=FlowTexts(stale="button_expired_alert", use_buttons="trace_which_order"),
    finish=_finished,
    keep_after_finish=True,
    on_button=_other_button,
    idle=timedelta(minutes=30),
)


def conversation(fallbacks: list[AnyHandler]) -> StoredConversation:
    return FLOW.conversation(
        entry_points=[MessageHandler(TYPED_TEXT & TRACE, trace_pasted)],
        fallbacks=fallbacks,
    )
