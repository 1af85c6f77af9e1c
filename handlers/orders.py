"""/track, /orders and the order card: escrow deadlines and the buttons that move them.

/track asks when the seller shipped (a guided flow: today, yesterday, pick the day, or
the countdown pasted from the order page), then the order's name; `/track <time> [name]`
and a countdown pasted on its own track at once. The card's ✏️ Edit is a one-question
flow of its own. See orders.mmd for the flow; reminders are worded in handlers/reminders.py
with the same buttons as the card.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.assist.extraction import read_order_page as model_reads_page
from bot.context import AnyHandler, BotContext
from bot.domain.escrow import (
    MAX_COUNTDOWN,
    InvalidTransition,
    OrderAction,
    OrderState,
    countdown_duration,
    format_left,
    reminders_stop,
)
from bot.domain.escrow.order_page import OrderPage, OrderStatus, read_order_page
from bot.domain.escrow.order_page import looks_like_order_page as page_signal
from bot.domain.escrow.track_input import (
    MAX_LABEL,
    PastMoment,
    TrackInput,
    TrackStart,
    parse_start,
    parse_track_text,
    ship_time_on,
    shipped_days_ago,
    shipped_on,
)
from bot.domain.extraction_checks import OrderReading, looks_like_order_page
from bot.domain.masking import mask_private_numbers
from bot.domain.payments.checker import Verdict, classify_payment
from bot.domain.timezones import BEIJING, display_name, format_local
from bot.render.i18n import Html, translate
from bot.render.model_text import model_text_html
from bot.services.orders import EXTENSION_CHOICES
from bot.services.tracking import OrderCard, PageFacts
from handlers import routes
from handlers.callback_data import parse_number
from handlers.conversation import StoredConversation
from handlers.guided import (
    TYPED_TEXT,
    Answer,
    Choice,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Handled,
    Json,
    Outcome,
    Parser,
    Problem,
    Question,
    Turn,
    catalogue_prompt,
)
from handlers.replies import acknowledge, assistant_note, replace_or_reply, reply

if TYPE_CHECKING:
    from bot.services.tracking import TrackedOrder as Order

CARD = routes.ORDER_CARD
_ACTIONS = {
    "sign": OrderAction.SIGN,
    "ok": OrderAction.INSPECT_OK,
    "problem": OrderAction.REPORT_PROBLEM,
    "refund": OrderAction.REQUEST_REFUND,
    "escalate": OrderAction.ESCALATE,
    "close": OrderAction.CLOSE,
}
SNOOZE_HOURS = (1, 3)
# A second 延长收货 this soon after the first is more likely a double tap than a second click.
REPEAT_EXTENSION_WINDOW = timedelta(minutes=1)
PICKABLE_DAYS = range(2, 14)  # today and yesterday have their own buttons


# -- when the clock started, as the /track flow keeps it -------------------------------------


def _start_json(start: TrackStart) -> dict[str, Json]:
    return {
        "shipped_at": start.shipped_at.isoformat() if start.shipped_at else None,
        "countdown": start.countdown.isoformat() if start.countdown else None,
        "estimated": start.estimated,
    }


def _start_from_json(saved: object) -> TrackStart:
    if not isinstance(saved, dict):
        return TrackStart()
    shipped, countdown = _from_iso(saved.get("shipped_at")), _from_iso(saved.get("countdown"))
    return TrackStart(shipped, countdown, estimated=saved.get("estimated") is True)


def _start_of(state: FlowState) -> TrackStart:
    return _start_from_json(state.notes.get("start"))


def _past(context: BotContext, past: PastMoment) -> str:
    return context.text("ord_past", when=format_local(past.moment, BEIJING, context.language))


def _from_iso(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


# -- the /track questions --------------------------------------------------------------------


def _when_choices(turn: Turn) -> list[Choice]:
    return [
        Choice(choice, turn.text(f"ord_when_{choice}"))
        for choice in ("today", "yesterday", "pick", "countdown")
    ]


def _day_choices(turn: Turn) -> list[Choice]:
    today = turn.context.clock.now().astimezone(BEIJING).date()
    days = [today - timedelta(days=n) for n in PICKABLE_DAYS]
    return [Choice(f"d{day:%Y%m%d}", day.strftime("%a %d %b")) for day in days]


async def _typed_start(turn: Turn, text: str) -> Outcome:
    """A countdown or a time, maybe with the order's name after it."""
    parsed = parse_track_text(text, turn.context.clock.now())
    if isinstance(parsed, PastMoment):
        return Problem(_past(turn.context, parsed))
    if parsed is None:
        if page_signal(text) and (read := await _page_by_rules(turn, text)) is not None:
            return read
        if _model_can_read(turn.context, text):
            return await _read_page(turn, text)
        return Problem(turn.text("ord_not_understood", text=mask_private_numbers(text[:80])))
    also: dict[str, Json] = {"label": parsed.label} if parsed.label else {}
    return Answer(_start_json(parsed.start), also=also)


async def _typed_label(turn: Turn, text: str) -> Outcome:
    # Masked already here: the answer waits in the stored conversation until the order is made.
    return Answer(mask_private_numbers(text[:MAX_LABEL]) or None)


# The value of the "use the suggested name" button; the name itself stays in the notes.
SUGGESTED_LABEL = "=page"


def _label_choices(turn: Turn) -> list[Choice]:
    suggested = turn.state.notes.get("suggested_label")
    if not isinstance(suggested, str) or not suggested:
        return []
    suggested = mask_private_numbers(suggested)  # stored masked too, see create_order
    shown = suggested if len(suggested) <= 28 else suggested[:27] + "…"
    return [Choice(SUGGESTED_LABEL, turn.text("ord_btn_use_label", name=shown))]


def _chosen_label(state: FlowState) -> str | None:
    label = state.answer("label")
    if label == SUGGESTED_LABEL:
        label = state.notes.get("suggested_label")
    return label if isinstance(label, str) and label else None


def _picked(value: str) -> Callable[[FlowState], bool]:
    def applies(state: FlowState) -> bool:
        return bool(state.answer("when") == value)

    return applies


TRACK_QUESTIONS = (
    Question(
        "when",
        catalogue_prompt("ord_ask_when"),
        choices=_when_choices,
        row_sizes=(2, 1, 1),
        typed=_typed_start,
        skippable=False,
    ),
    Question(
        "day",
        catalogue_prompt("ord_pick_day"),
        choices=_day_choices,
        row_sizes=(3, 3, 3, 3),
        skippable=False,
        applies=_picked("pick"),
    ),
    Question(
        "paste",
        catalogue_prompt("ord_paste_countdown"),
        typed=_typed_start,
        skippable=False,
        applies=_picked("countdown"),
    ),
    Question(
        "label", catalogue_prompt("ord_ask_label"), choices=_label_choices, typed=_typed_label
    ),
)


async def _note_start(turn: Turn, question: Question, value: Json) -> str:
    """The moment an answer stands for, fixed when it is given. A day without an hour
    ("today", a picked day) is its first minute in Beijing, marked as a guess: a guess can
    then only make the reminders early, never late."""
    now = turn.context.clock.now()
    start: TrackStart | None = None
    if isinstance(value, dict):
        start = _start_from_json(value)
    elif value == "today":
        start = shipped_days_ago(0, now)
    elif value == "yesterday":
        start = shipped_days_ago(1, now)
    elif question.code == "day" and isinstance(value, str):
        start = shipped_on(datetime.strptime(value[1:], "%Y%m%d").date())
    if start is not None:
        turn.state.notes["start"] = _start_json(start)
    return ""


async def _track_finished(turn: Turn, lead: str) -> None:
    number = turn.state.notes.get("order_number")
    await _create(
        turn.update,
        turn.context,
        _start_of(turn.state),
        _chosen_label(turn.state),
        order_number=number if isinstance(number, str) else None,
    )


TRACK_FLOW = GuidedFlow(
    name="track",
    route=routes.TRACK,
    questions=TRACK_QUESTIONS,
    texts=FlowTexts(
        stale="button_expired_alert", use_buttons="ord_ask_when", skip="ord_label_skip"
    ),
    finish=_track_finished,
    idle=timedelta(minutes=30),
    on_answer=_note_start,
)


# -- /track and its shortcuts -----------------------------------------------------------------


async def track(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    # A fresh /track retires the AI helper's open offer: its buttons answer "no longer valid".
    turn = TRACK_FLOW.turn(update, context, FlowState())
    typed = " ".join(context.args or []) if update.message else ""
    if typed:
        return await _track_inline(turn, typed)
    return await TRACK_FLOW.ask_next(turn)


async def countdown_pasted(update: Update, context: BotContext) -> int:
    """A countdown pasted on its own: tracked, once it has a name the user recognises (the
    words around a countdown on the page, 自动确认收货, name no order)."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    turn = TRACK_FLOW.turn(update, context, FlowState())
    parsed = parse_track_text(text.strip(), context.clock.now())
    if isinstance(parsed, TrackInput) and not parsed.label:
        turn.state.notes["start"] = _start_json(parsed.start)
        turn.state.preset({"when": "typed"})
        return await TRACK_FLOW.ask_next(turn)
    return await _track_inline(turn, text.strip())


async def _track_inline(turn: Turn, typed: str) -> int:
    """`/track 6天23小时 mugs`, `/track 2h30m`, `/track shipped 2026-11-20 14:00 fabric`:
    tracked at once, named "Order N" when no name follows the time."""
    parsed = parse_track_text(typed, turn.context.clock.now())
    if isinstance(parsed, PastMoment):
        await reply(turn.update, _past(turn.context, parsed))
        return TRACK_FLOW.end(turn)
    if parsed is not None:
        await _create(turn.update, turn.context, parsed.start, parsed.label or None)
        return TRACK_FLOW.end(turn)
    if page_signal(typed) and (read := await _page_by_rules(turn, typed)) is not None:
        return TRACK_FLOW.end(turn) if read.ended else TRACK_FLOW.waiting(turn, "when")
    if _model_can_read(turn.context, typed):
        await _read_page(turn, typed)
        return TRACK_FLOW.waiting(turn, "when")
    return await TRACK_FLOW.ask_next(
        turn, turn.text("ord_not_understood", text=mask_private_numbers(typed[:80]))
    )


async def _create(
    update: Update,
    context: BotContext,
    start: TrackStart,
    label: str | None,
    *,
    order_number: str | None = None,
) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    card = await context.services.tracking.track(
        user_id=user.id,
        chat_id=chat.id,
        start=start,
        label=label,
        default_label=lambda number: context.text("ord_default_label", number=number),
        order_number=order_number,
        source_update_id=update.update_id,
    )
    text = context.text("ord_tracking") + "\n\n" + _card_text(card, context)
    await replace_or_reply(update, text, card_keyboard(card.order, context.language))


# -- a pasted order page (or its screenshot) -------------------------------------------
#
# The rules read the page first (bot.domain.escrow.order_page): its status, its order
# number and the deadline it shows. A page whose order number is already tracked updates
# that order; a page with a running clock is offered for tracking with our buttons, since
# nothing is tracked on a reading nobody confirmed; a status with no running clock gets
# the step that fits it. Only when the rules find nothing, and a model is configured, the
# model points at the countdown; bot.domain.extraction_checks keeps what it points at only
# if it is in the page and our parsers read it, and our parser computes the deadline.

# Statuses whose page shows no running auto-confirm clock, and what to tell the buyer.
_NO_CLOCK_ADVICE = {
    OrderStatus.UNPAID: "ord_page_unpaid",
    OrderStatus.PAID_UNSHIPPED: "ord_page_unshipped",
    OrderStatus.REFUNDING: "ord_page_refunding",
    OrderStatus.COMPLETED: "ord_page_completed",
    OrderStatus.CLOSED: "ord_page_closed",
}


def _model_can_read(context: BotContext, text: str) -> bool:
    """The rules could not read `text`, which the user gave us as the order's time: worth
    the model's reading when there is a model and the text looks copied from the page."""
    return context.services.llm is not None and looks_like_order_page(text, asked_for_time=True)


def is_order_page(text: str) -> bool:
    """A whole order page, pasted or read off a screenshot. A payment request the payment
    checker has a verdict on stays the checker's, even when it quotes an order
    ("订单异常，请先确认收货")."""
    if not (page_signal(text) or looks_like_order_page(text)):
        return False
    return classify_payment(text).verdict is Verdict.UNCLEAR


class _OrderPage(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return is_order_page(message.text or "")


ORDER_PAGE = _OrderPage(name="OrderPage")


async def order_page_pasted(update: Update, context: BotContext) -> int:
    text = (update.effective_message.text or "") if update.effective_message else ""
    turn = TRACK_FLOW.turn(update, context, FlowState())
    read = await _page_by_rules(turn, text.strip())
    if read is not None:
        return TRACK_FLOW.end(turn) if read.ended else TRACK_FLOW.waiting(turn, "when")
    if context.services.llm is not None:
        await _read_page(turn, text.strip())
        return TRACK_FLOW.waiting(turn, "when")
    return await TRACK_FLOW.ask_next(turn, context.text("ord_page_not_found"))


async def order_page_photographed(update: Update, context: BotContext, text: str) -> bool:
    """A screenshot's text (handlers/payments.py): True when it was an order page the rules
    could act on; otherwise the picture stays the payment checker's."""
    if not is_order_page(text):
        return False
    turn = TRACK_FLOW.turn(update, context, FlowState())
    read = await _page_by_rules(turn, text.strip())
    if read is not None and not read.ended:
        # The offer's Yes opens /track (an entry point) at this question.
        TRACK_FLOW.waiting(turn, "when")
    return read is not None


async def _page_by_rules(turn: Turn, text: str) -> Handled | None:
    """Act on what the rules read in the page: ended when that settled it, waiting when
    tracking was offered; None when they read nothing useful."""
    update, context = turn.update, turn.context
    now = context.clock.now()
    page = read_order_page(text, now)
    user = update.effective_user
    if page.order_no and user is not None:
        card = await context.services.tracking.with_order_number(user.id, page.order_no)
        if card is not None:
            await _update_tracked(turn, card, page)
            return Handled(ended=True)
    if page.deadline_at is not None and page.deadline_at > now:
        await _offer_page(turn, page, now)
        return Handled()
    advice = _NO_CLOCK_ADVICE.get(page.status)
    if page.deadline_at is not None:
        when = format_local(page.deadline_at, BEIJING, context.language)
        await reply(update, context.text("ord_page_past", when=when))
    elif advice is not None:
        await reply(update, context.text(advice))
    else:
        return None
    return Handled(ended=True)


async def _update_tracked(turn: Turn, card: OrderCard, page: OrderPage) -> None:
    update, context = turn.update, turn.context
    user = update.effective_user
    assert user is not None
    facts = PageFacts(page.deadline_at, refund_open=page.status is OrderStatus.REFUNDING)
    updated = await context.services.tracking.update_from_page(user.id, card.order.id, facts)
    if updated is None:
        return
    advice = _NO_CLOCK_ADVICE.get(page.status)
    if page.status is OrderStatus.REFUNDING:
        lead = context.text("ord_page_updated_paused")
    elif page.deadline_at is not None and page.deadline_at > context.clock.now():
        lead = context.text("ord_page_updated")
    elif advice is not None:
        lead = context.text("ord_page_same_order") + "\n" + context.text(advice)
    else:
        lead = context.text("ord_page_same_order")
    text = lead + "\n\n" + _card_text(updated, context)
    await reply(update, text, card_keyboard(updated.order, context.language))


def _suggested_label(page: OrderPage) -> str | None:
    if page.product:
        return page.product.strip()[:MAX_LABEL] or None
    return f"№{page.order_no}"[:MAX_LABEL] if page.order_no else None


async def _offer_page(turn: Turn, page: OrderPage, now: datetime) -> None:
    """What the page says, and Yes/No: tracking starts on the user's word."""
    assert page.deadline_at is not None
    context = turn.context
    offer = secrets.token_hex(4)
    turn.state.notes["page"] = {
        "offer": offer,
        "deadline": page.deadline_at.isoformat(),
        "order_number": page.order_no,
        "label": _suggested_label(page),
    }
    turn.save()
    lines = [
        context.text(
            "ord_page_rules_read",
            left=format_left(page.deadline_at - now, context.language),
            beijing=format_local(page.deadline_at, BEIJING, context.language),
        )
    ]
    if page.estimated:
        lines.append(context.text("ord_page_estimated"))
    if page.order_no:
        lines.append(context.text("ord_number", number=page.order_no))
    lines += ["", context.text("ord_page_question")]
    await reply(turn.update, "\n".join(lines), _page_keyboard(context, offer))


async def _read_page(turn: Turn, text: str) -> Handled:
    """Ask the model to read the page; offer what survives the checks for confirmation."""
    update, context = turn.update, turn.context
    model, user = context.services.llm, update.effective_user
    if model is None or user is None:
        await reply(
            update, context.text("ord_not_understood", text=mask_private_numbers(text[:80]))
        )
        return Handled()
    # The countdown on the page was true when it was pasted: the deadline is counted from
    # now, not from whenever the user gets round to tapping "Yes".
    now = context.clock.now()
    result = await model_reads_page(model, text, user_id=user.id, now=now)
    if result.miss is not None:
        note = assistant_note(context, result.miss)
        rules = context.text("ord_not_understood", text=mask_private_numbers(text[:80]))
        await reply(update, "\n\n".join(part for part in (note, rules) if part))
        return Handled()
    if result.reading is None:
        # The model answered, but nothing it read is in the page as a time we understand.
        turn.state = FlowState()
        await TRACK_FLOW.ask_next(turn, context.text("ord_page_not_found"))
        return Handled()
    offer = secrets.token_hex(4)
    turn.state.notes["page"] = {
        "offer": offer,
        "deadline": result.reading.deadline.isoformat(),
        "order_number": result.reading.order_number,
        "label": f"№{result.reading.order_number}" if result.reading.order_number else None,
    }
    turn.save()
    await reply(
        update, _page_reading(context, result.reading, now), _page_keyboard(context, offer)
    )
    return Handled()


def _page_reading(context: BotContext, reading: OrderReading, now: datetime) -> str:
    lines = [
        context.text(
            "ord_page_read",
            left=format_left(reading.deadline - now, context.language),
            # Words of the pasted page, chosen by the model: shown inert all the same.
            quote=Html(model_text_html(mask_private_numbers(reading.quote))),
            beijing=format_local(reading.deadline, BEIJING, context.language),
        )
    ]
    if reading.order_number:
        lines.append(context.text("ord_number", number=reading.order_number))
    lines += ["", context.text("ord_page_question")]
    return "\n".join(lines)


def _page_keyboard(context: BotContext, offer: str) -> InlineKeyboardMarkup:
    def button(answer: str) -> InlineKeyboardButton:
        text = context.text(f"ord_btn_page_{answer}")
        return InlineKeyboardButton(text, callback_data=routes.TRACK_PAGE.pack(answer, offer))

    return InlineKeyboardMarkup([[button("yes")], [button("no")]])


async def page_answered(update: Update, context: BotContext) -> int | None:
    """Yes: continue exactly as a typed countdown does (the name, with the page's order
    number or first product line offered, then the card). No: the usual question. Anything
    else (an old keyboard, forged data) confirms nothing."""
    parts = routes.TRACK_PAGE.unpack(update.callback_query.data if update.callback_query else None)
    state = TRACK_FLOW.load(context)
    offered = state.notes.get("page") if state else None
    question = TRACK_FLOW.question(state.step if state else None)
    if (
        parts is None
        or parts[0] not in ("yes", "no")
        or state is None
        or question is None
        or not isinstance(offered, dict)
        or offered.get("offer") != parts[1]
    ):
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return None
    await acknowledge(update, context)
    state.notes.pop("page")
    turn = TRACK_FLOW.turn(update, context, state)
    deadline = _from_iso(offered.get("deadline"))
    if parts[0] == "no" or deadline is None or deadline <= context.clock.now():
        turn.state = FlowState()
        return await TRACK_FLOW.ask_next(turn)
    number, label = offered.get("order_number"), offered.get("label")
    state.notes["order_number"] = number if isinstance(number, str) else None
    state.notes["suggested_label"] = label if isinstance(label, str) else None
    return await TRACK_FLOW.record(turn, question, _start_json(TrackStart(countdown=deadline)))


# -- the order card ------------------------------------------------------------------------


def _card_text(card: OrderCard, context: BotContext) -> str:
    return render_card(card.order, context.language, card.zone, context.clock.now())


def _card_keyboard(card: OrderCard, context: BotContext) -> InlineKeyboardMarkup:
    undo = card.last_extension.days if card.last_extension else None
    return card_keyboard(card.order, context.language, undo_days=undo)


def render_card(order: Order, language: str, zone: tzinfo, now: datetime) -> str:
    lines = [
        translate(language, "ord_card_title", label=order.label),
        translate(language, f"ord_state_{order.state}"),
    ]
    if order.order_number:
        lines.append(translate(language, "ord_number", number=order.order_number))
    lines.append("")
    lines.append(deadline_lines(order, language, zone, now))
    if order.shipped_at_estimated and order.shipped_at is not None:
        when = format_local(order.shipped_at, BEIJING, language)
        lines.append(translate(language, "ord_ship_assumed", when=when))
    return "\n".join(lines)


def deadline_lines(order: Order, language: str, zone: tzinfo, now: datetime) -> str:
    if order.pause_started_at is not None:
        return translate(language, "ord_clock_paused")
    if order.deadline_at is None:
        return translate(language, "ord_no_deadline")
    if reminders_stop(order.state):
        return translate(language, "ord_reminders_stopped")
    left = order.deadline_at - now
    return translate(
        language,
        "ord_deadline" if left > timedelta(0) else "ord_deadline_passed",
        beijing=format_local(order.deadline_at, BEIJING, language),
        local=format_local(order.deadline_at, zone, language),
        zone=display_name(str(zone), now),
        left=format_left(left, language),
    )


def time_left_label(order: Order, language: str, now: datetime) -> str:
    """What /orders shows next to an order's name."""
    if order.pause_started_at is not None:
        return translate(language, "ord_list_paused")
    if order.deadline_at is None:
        return "–"
    return format_left(order.deadline_at - now, language)


def card_keyboard(
    order: Order, language: str, *, undo_days: int | None = None
) -> InlineKeyboardMarkup:
    def button(key: str, action: str, **values: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            translate(language, key, **values), callback_data=CARD.pack(order.id, action)
        )

    state = order.state
    rows: list[list[InlineKeyboardButton]] = []
    if state in (OrderState.SHIPPED, OrderState.AWAITING_SHIPMENT):
        rows.append([button("ord_btn_sign", "sign")])
    if state in (OrderState.SHIPPED, OrderState.SIGNED, OrderState.PROBLEM):
        rows.append([button("ord_btn_ok", "ok"), button("ord_btn_problem", "problem")])
        rows.append([button(f"ord_btn_ext{days}", f"ext{days}") for days in EXTENSION_CHOICES])
    if undo_days and state in (OrderState.SHIPPED, OrderState.SIGNED, OrderState.PROBLEM):
        rows.append([button("ord_btn_undo", "undo", days=undo_days)])
    if order.shipped_at_estimated and not reminders_stop(state):
        rows.append([button("ord_btn_ship_time", "shiptime")])
    if state is OrderState.PROBLEM:
        rows.append([button("ord_btn_refund", "refund")])
    if state is OrderState.REFUND_REQUESTED:
        rows.append([button("ord_btn_escalate", "escalate")])
    if order.pause_started_at is not None:
        rows.append([button("ord_btn_refund_closed", "unpause")])
    last = [button("ord_btn_edit", "edit"), button("ord_btn_delete", "del")]
    if state is not OrderState.CLOSED:
        last.insert(1, button("ord_btn_close", "close"))
    rows.append(last)  # the card's housekeeping shares one row, the last
    return InlineKeyboardMarkup(rows)


def snooze_row(order: Order, language: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            translate(language, f"ord_btn_snz{hours}"),
            callback_data=CARD.pack(order.id, f"snz{hours}"),
        )
        for hours in SNOOZE_HOURS
    ]


def _pressed_order(update: Update) -> tuple[int, str] | None:
    """(order id, action) of a card button, None for stale or forged data."""
    parts = CARD.unpack(update.callback_query.data if update.callback_query else None)
    order_id = parse_number(parts[0]) if parts else None
    if parts is None or order_id is None or update.effective_user is None:
        return None
    return order_id, parts[1]


async def card_pressed(update: Update, context: BotContext) -> None:
    pressed = _pressed_order(update)
    user = update.effective_user
    if pressed is None or user is None:
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return
    order_id, action = pressed
    tracking = context.services.tracking
    if action == "card":
        await _show(update, context, await tracking.card(user.id, order_id))
    elif action == "del":
        await _confirm_delete(update, context, await tracking.card(user.id, order_id))
    elif action == "delyes":
        await _delete(update, context, order_id)
    elif _days_of(action, "ext") in EXTENSION_CHOICES:
        card = await tracking.card(user.id, order_id)
        await _confirm_extension(update, context, card, _days_of(action, "ext") or 0)
    elif action == "undo":
        await _undo(update, context, order_id)
    else:
        await _act(update, context, order_id, action)


def _confirmed_extension(action: str) -> tuple[int, int] | None:
    """(days, the extensions the card showed) of `extyes3from0`."""
    days, _, from_days = action.removeprefix("extyes").partition("from")
    if not action.startswith("extyes"):
        return None
    parsed, base = parse_number(days), parse_number(from_days)
    if parsed not in EXTENSION_CHOICES or parsed is None or base is None:
        return None
    return parsed, base


def _days_of(action: str, prefix: str) -> int | None:
    """3 for `ext3` with prefix `ext`; None for any other action."""
    return parse_number(action.removeprefix(prefix)) if action.startswith(prefix) else None


async def _show(
    update: Update, context: BotContext, card: OrderCard | None, note: str | None = None
) -> None:
    if card is None:
        await acknowledge(update, context, context.text("ord_gone"), alert=True)
        return
    await acknowledge(update, context, note)
    await replace_or_reply(update, _card_text(card, context), _card_keyboard(card, context))


async def _act(update: Update, context: BotContext, order_id: int, action: str) -> None:
    user = update.effective_user
    assert user is not None
    tracking = context.services.tracking
    try:
        if action in _ACTIONS:
            card = await tracking.act(user.id, order_id, _ACTIONS[action])
            note = context.text(f"ord_done_{action}")
        elif (confirmed := _confirmed_extension(action)) is not None:
            days, from_days = confirmed
            card = await tracking.extend(user.id, order_id, days, from_days=from_days)
            note = context.text("ord_done_ext", days=days)
        elif (hours := _days_of(action, "snz")) in SNOOZE_HOURS:
            assert hours is not None
            card = await tracking.snooze(user.id, order_id, timedelta(hours=hours))
            note = context.text("ord_done_snooze", hours=hours)
        else:
            await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
            return
    except InvalidTransition:
        await acknowledge(update, context, context.text("ord_not_now"), alert=True)
        return
    await _show(update, context, card, note)


async def _confirm_extension(
    update: Update, context: BotContext, card: OrderCard | None, days: int
) -> None:
    """延长收货 moves the deadline later: a mistap must not. Nothing changes before Yes."""
    if card is None:
        await acknowledge(update, context, context.text("ord_gone"), alert=True)
        return
    await acknowledge(update, context)
    lines = [context.text("ord_card_title", label=card.order.label)]
    last = card.last_extension
    if last is not None and context.clock.now() - last.at < REPEAT_EXTENSION_WINDOW:
        lines.append(context.text("ord_confirm_ext_again", days=last.days))
    lines.append(context.text("ord_confirm_ext", days=days))
    order_id = card.order.id
    yes = InlineKeyboardButton(
        context.text("ord_btn_ext_yes", days=days),
        # The order's extensions so far ride along: a second press of this Yes finds them
        # changed and adds nothing.
        callback_data=CARD.pack(order_id, f"extyes{days}from{card.order.extension_days}"),
    )
    cancel = InlineKeyboardButton(
        context.text("ord_btn_cancel"), callback_data=CARD.pack(order_id, "card")
    )
    await replace_or_reply(update, "\n\n".join(lines), InlineKeyboardMarkup([[yes], [cancel]]))


async def _undo(update: Update, context: BotContext, order_id: int) -> None:
    user = update.effective_user
    assert user is not None
    before = await context.services.tracking.card(user.id, order_id)
    if before is None or before.last_extension is None:
        await acknowledge(update, context, context.text("ord_nothing_to_undo"), alert=True)
        return
    card = await context.services.tracking.undo_extension(user.id, order_id)
    note = context.text("ord_done_undo", days=before.last_extension.days)
    await _show(update, context, card, note)


async def _confirm_delete(update: Update, context: BotContext, card: OrderCard | None) -> None:
    if card is None:
        await acknowledge(update, context, context.text("ord_gone"), alert=True)
        return
    await acknowledge(update, context)
    order = card.order
    yes = InlineKeyboardButton(
        context.text("ord_delete_yes"), callback_data=CARD.pack(order.id, "delyes")
    )
    no = InlineKeyboardButton(
        context.text("ord_delete_no"), callback_data=CARD.pack(order.id, "card")
    )
    text = context.text("ord_delete_confirm", label=order.label)
    await replace_or_reply(update, text, InlineKeyboardMarkup([[yes], [no]]))


async def _delete(update: Update, context: BotContext, order_id: int) -> None:
    user = update.effective_user
    assert user is not None
    card = await context.services.tracking.card(user.id, order_id)
    if card is None or not await context.services.tracking.delete(user.id, order_id):
        await acknowledge(update, context, context.text("ord_gone"), alert=True)
        return
    await acknowledge(update, context)
    await replace_or_reply(update, context.text("ord_deleted", label=card.order.label))


# -- one question about one order: a new deadline or name, the real ship time, the countdown
#    once a refund closed ------------------------------------------------------------------


def _order_question(
    name: str,
    prompt: Callable[[Turn], str],
    typed: Parser,
    finish: Callable[[Turn, str], Awaitable[None]],
    hint: str,
) -> GuidedFlow:
    return GuidedFlow(
        name=name,
        route=None,
        questions=(Question("value", prompt, typed=typed, skippable=False),),
        texts=FlowTexts(stale="button_expired_alert", use_buttons=hint, expired="ord_gone"),
        finish=finish,
        idle=timedelta(minutes=30),
    )


async def _order_flow_pressed(flow: GuidedFlow, update: Update, context: BotContext) -> int:
    """A card button that asks one question about its order. Someone else's order id is
    refused before the question, not after the answer."""
    pressed = _pressed_order(update)
    user = update.effective_user
    card = await context.services.tracking.card(user.id, pressed[0]) if user and pressed else None
    if card is None:
        await acknowledge(update, context, context.text("ord_gone"), alert=True)
        return flow.end(flow.turn(update, context, FlowState()))
    await acknowledge(update, context)
    notes: dict[str, Json] = {}
    if card.order.shipped_at is not None:
        notes["shipped_day"] = card.order.shipped_at.astimezone(BEIJING).date().isoformat()
    return await flow.begin(update, context, FlowState(subject=card.order.id, notes=notes))


async def _show_result(turn: Turn, card: OrderCard | None) -> None:
    if card is None:
        await reply(turn.update, turn.text("ord_gone"))
        return
    await reply(turn.update, _card_text(card, turn.context), _card_keyboard(card, turn.context))


def _answer_text(turn: Turn) -> str:
    value = turn.state.answer("value")
    return value if isinstance(value, str) else ""


async def _typed_edit(turn: Turn, text: str) -> Outcome:
    start = parse_start(text, turn.context.clock.now())
    if isinstance(start, PastMoment):
        return Problem(_past(turn.context, start))
    return Answer(text) if text else Problem(turn.text("ord_edit_prompt"))


async def _edited(turn: Turn, lead: str) -> None:
    user, order_id = turn.update.effective_user, turn.state.subject
    card = None
    if user is not None and order_id is not None:
        edited = await turn.context.services.tracking.edit(user.id, order_id, _answer_text(turn))
        card = edited if isinstance(edited, OrderCard) else None
    await _show_result(turn, card)


def _shipped_day(turn: Turn) -> date:
    saved = turn.state.notes.get("shipped_day")
    return date.fromisoformat(saved) if isinstance(saved, str) else turn.context.clock.now().date()


def _ship_time_prompt(turn: Turn) -> str:
    return turn.text("ord_ask_ship_time", day=_shipped_day(turn).strftime("%d %b"))


async def _typed_ship_time(turn: Turn, text: str) -> Outcome:
    shipped = ship_time_on(_shipped_day(turn), text, turn.context.clock.now())
    if shipped is None:
        return Problem(turn.text("ord_ship_time_bad", text=mask_private_numbers(text[:40])))
    return Answer(shipped.isoformat())


async def _ship_time_set(turn: Turn, lead: str) -> None:
    user, order_id = turn.update.effective_user, turn.state.subject
    shipped = _from_iso(turn.state.answer("value"))
    card = None
    if user is not None and order_id is not None and shipped is not None:
        card = await turn.context.services.tracking.set_ship_time(user.id, order_id, shipped)
    await _show_result(turn, card)


async def _typed_countdown_now(turn: Turn, text: str) -> Outcome:
    start = parse_start(text, turn.context.clock.now())
    if isinstance(start, PastMoment):
        return Problem(_past(turn.context, start))
    if start is None or start.countdown is None:
        return Problem(turn.text("ord_countdown_now_bad"))
    return Answer(start.countdown.isoformat())


async def _clock_runs_again(turn: Turn, lead: str) -> None:
    user, order_id = turn.update.effective_user, turn.state.subject
    countdown = _from_iso(turn.state.answer("value"))
    card = None
    if user is not None and order_id is not None and countdown is not None:
        try:
            card = await turn.context.services.tracking.close_refund(user.id, order_id, countdown)
        except InvalidTransition:
            await reply(turn.update, turn.text("ord_not_now"))
            return
    await _show_result(turn, card)


EDIT_FLOW = _order_question(
    "order_edit", catalogue_prompt("ord_edit_prompt"), _typed_edit, _edited, "ord_edit_prompt"
)
SHIP_TIME_FLOW = _order_question(
    "order_ship_time", _ship_time_prompt, _typed_ship_time, _ship_time_set, "ord_ship_time_bad"
)
REFUND_CLOSED_FLOW = _order_question(
    "order_refund_closed",
    catalogue_prompt("ord_ask_countdown_now"),
    _typed_countdown_now,
    _clock_runs_again,
    "ord_countdown_now_bad",
)


# -- /orders -----------------------------------------------------------------------------


async def list_orders(update: Update, context: BotContext) -> None:
    await acknowledge(update, context)
    user = update.effective_user
    if user is None:
        return
    now = context.clock.now()
    orders = await context.services.tracking.open_orders(user.id)
    if not orders:
        await replace_or_reply(update, context.text("ord_none"))
        return
    rows = []
    for order in orders[:30]:
        label = f"{order.label[:30]} · {time_left_label(order, context.language, now)}"
        rows.append([InlineKeyboardButton(label, callback_data=CARD.pack(order.id, "card"))])
    await replace_or_reply(update, context.text("ord_list_title"), InlineKeyboardMarkup(rows))


# -- wiring ------------------------------------------------------------------------------

# A countdown pasted on its own ("还剩6天23小时59分", "6d 23h left") means "track this".
_COUNTDOWN_WORDS = re.compile(r"还剩|剩余|剩下|\bleft\b|\bremaining\b|осталось", re.IGNORECASE)
MAX_COUNTDOWN_MESSAGE = 120


# ... and so does the page's auto-confirm time ("自动确认收货时间：2026-12-15 18:00:00").
_AUTO_CONFIRM_WORDS = re.compile(r"自动确认|确认收货|auto[- ]?confirm", re.IGNORECASE)
_A_DATE_OR_TIME = re.compile(
    r"\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*月\s*\d{1,2}|\d{4}\s*[-/.年]\s*\d{1,2}"
)


class _CountdownTalk(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        text = message.text or ""
        if len(text) > MAX_COUNTDOWN_MESSAGE:
            return False
        # Only whether it reads as a deadline: the moment is computed once it is tracked.
        if _AUTO_CONFIRM_WORDS.search(text) and _A_DATE_OR_TIME.search(text):
            return True
        if not _COUNTDOWN_WORDS.search(text):
            return False
        duration = countdown_duration(text)
        return duration is not None and duration <= MAX_COUNTDOWN


COUNTDOWN_TALK = _CountdownTalk(name="CountdownTalk")
# The card's ✏️ Edit starts the edit flow and its ⚠️ Problem the dispute walk
# (handlers/disputes.py); every other card button is answered here.
# Card buttons that ask a question of their own, each a flow above.
QUESTION_BUTTONS = {"edit": EDIT_FLOW, "shiptime": SHIP_TIME_FLOW, "unpause": REFUND_CLOSED_FLOW}
PROBLEM_BUTTON = re.compile(rf"^{CARD.prefix}\|\d+\|problem$")
_OWN_FLOWS = "|".join([*QUESTION_BUTTONS, "problem"])
OTHER_CARD_BUTTONS = re.compile(rf"^{CARD.prefix}\|(?!\d+\|(?:{_OWN_FLOWS})$)")


def conversation(fallbacks: list[AnyHandler]) -> StoredConversation:
    """The /track conversation, with its shortcuts: a pasted countdown, a pasted order page
    and the page's confirmation buttons."""
    page: list[AnyHandler] = [
        CallbackQueryHandler(page_answered, pattern=routes.TRACK_PAGE.pattern)
    ]
    entry_points: list[AnyHandler] = [
        CommandHandler("track", track),
        MessageHandler(TYPED_TEXT & ORDER_PAGE, order_page_pasted),
        MessageHandler(TYPED_TEXT & COUNTDOWN_TALK, countdown_pasted),
        CallbackQueryHandler(track, pattern=routes.MENU.exact("track")),
        *page,
    ]
    return TRACK_FLOW.conversation(entry_points=entry_points, fallbacks=fallbacks, asking=page)


def order_question_conversations(fallbacks: list[AnyHandler]) -> list[StoredConversation]:
    """Edit, the real ship time and the countdown after a closed refund: register them
    before /track, so a countdown typed as their answer is not a new order."""
    conversations = []
    for action, flow in QUESTION_BUTTONS.items():

        async def pressed(update: Update, context: BotContext, flow: GuidedFlow = flow) -> int:
            return await _order_flow_pressed(flow, update, context)

        button = re.compile(rf"^{CARD.prefix}\|\d+\|{action}$")
        conversations.append(
            flow.conversation(
                entry_points=[CallbackQueryHandler(pressed, pattern=button)], fallbacks=fallbacks
            )
        )
    return conversations


ORDER_LIST: list[AnyHandler] = [
    CommandHandler("orders", list_orders),
    CallbackQueryHandler(list_orders, pattern=routes.MENU.exact("orders")),
]
CARD_BUTTONS = CallbackQueryHandler(card_pressed, pattern=OTHER_CARD_BUTTONS)
