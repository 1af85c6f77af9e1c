"""/track, /orders and the order card: escrow deadlines and the buttons that move them.

See orders.mmd for the flow. Reminders are rendered here too (render_reminder), so a
reminder shows the same buttons as the card.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.assist.extraction import read_order_page
from bot.clock import Clock
from bot.context import AnyHandler, BotContext
from bot.db.models import Order, User
from bot.domain.escrow import (
    MAX_COUNTDOWN,
    InvalidTransition,
    OrderAction,
    OrderState,
    countdown_duration,
    format_left,
    parse_countdown,
    parse_moment,
    reminders_stop,
)
from bot.domain.extraction_checks import OrderReading, looks_like_order_page
from bot.domain.payments.checker import Verdict, classify_payment
from bot.domain.timezones import BEIJING, display_name, format_local, zone_for
from bot.reminders.engine import ReminderRow, RenderedReminder, RenderReminder
from bot.render.i18n import Html, translate
from bot.render.model_text import model_text_html
from bot.runtime.persistence import StoredConversation
from bot.services import orders as order_service
from handlers import disputes
from handlers.callback_data import CallbackRoute, parse_number
from handlers.keyboards import MENU
from handlers.replies import acknowledge, assistant_note, replace_or_reply, reply

CARD = CallbackRoute("ord", arity=2)  # ord|<order id>|<action>
TRACK = CallbackRoute("trk")  # trk|<choice> during /track
# trkpage|<yes or no>|<offer>: the AI helper's reading of a pasted order page, confirmed
# or not. The values stay in the user's flow state; <offer> ties the button to the one
# reading it was shown with, so an old keyboard cannot confirm a newer reading.
PAGE = CallbackRoute("trkpage", arity=2)
WHEN, LABEL, EDIT = range(3)
MAX_LABEL = 60
MAX_TRACK_WORDS = 24
_ACTIONS = {
    "sign": OrderAction.SIGN,
    "ok": OrderAction.INSPECT_OK,
    "problem": OrderAction.REPORT_PROBLEM,
    "refund": OrderAction.REQUEST_REFUND,
    "escalate": OrderAction.ESCALATE,
    "close": OrderAction.CLOSE,
}


# -- /track ------------------------------------------------------------------------------


async def track(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    context.state.flow.pop("track", None)
    # A fresh /track retires the AI helper's open offer: its buttons answer "no longer valid".
    context.state.flow.pop("track_page", None)
    typed = " ".join(context.args or []) if update.message else ""
    if typed:
        return await _track_inline(update, context, typed)
    await replace_or_reply(update, context.text("ord_ask_when"), _when_keyboard(context))
    return WHEN


def _when_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    def button(choice: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            context.text(f"ord_when_{choice}"), callback_data=TRACK.pack(choice)
        )

    return InlineKeyboardMarkup(
        [[button("today"), button("yesterday")], [button("pick")], [button("countdown")]]
    )


async def _track_inline(update: Update, context: BotContext, typed: str) -> int:
    """`/track 6天23小时 mugs`, `/track 2h30m`, `/track shipped 2026-11-20 14:00 fabric`."""
    parsed = parse_track_text(typed, context.clock.now())
    if parsed is None:
        if _model_can_read(context, typed):
            return await _read_page(update, context, typed)
        await reply(update, context.text("ord_not_understood", text=typed[:80]))
        return WHEN
    shipped_at, countdown, label = parsed
    await _create(update, context, shipped_at, countdown, label or None)
    return ConversationHandler.END


def parse_track_text(
    typed: str, now: datetime
) -> tuple[datetime | None, datetime | None, str] | None:
    """(shipped_at, countdown deadline, label): the longest leading part that reads as a
    time is the time, the words after it are the label."""
    words = typed.split()[:MAX_TRACK_WORDS]
    readings = [_parse_start(" ".join(words[:cut]), now) for cut in range(1, len(words) + 1)]
    known = [(cut, start) for cut, start in enumerate(readings, start=1) if start is not None]
    if not known:
        return None
    # Parsers skip words they do not know, so the longest reading is the fullest; the
    # shortest prefix that already reads the same ends where the label begins.
    fullest = known[-1][1]
    cut = next(cut for cut, start in known if start == fullest)
    return fullest[0], fullest[1], " ".join(words[cut:])[:MAX_LABEL]


def _parse_start(timing: str, now: datetime) -> tuple[datetime | None, datetime | None] | None:
    """(shipped_at, countdown deadline) from what the user typed, or None."""
    words = timing.split()
    if words and words[0].lower() in ("shipped", "发货", "已发货"):
        shipped = parse_moment(" ".join(words[1:]) or "now", now, BEIJING)
        return (shipped, None) if shipped and shipped <= now else None
    countdown = parse_countdown(timing, now)
    if countdown is not None:
        return None, countdown
    moment = parse_moment(timing, now, BEIJING)
    if moment is not None and moment > now:
        return None, moment
    return None


async def when_pressed(update: Update, context: BotContext) -> int:
    parts = TRACK.unpack(update.callback_query.data if update.callback_query else None)
    await acknowledge(update)
    choice = parts[0] if parts else ""
    now = context.clock.now()
    if choice == "today":
        return await _ask_label(update, context, shipped_at=now)
    if choice == "yesterday":
        return await _ask_label(update, context, shipped_at=now - timedelta(days=1))
    if choice == "pick":
        await replace_or_reply(update, context.text("ord_pick_day"), _days_keyboard(now))
        return WHEN
    if choice.startswith("d") and choice[1:].isdigit():
        return await _picked_day(update, context, choice[1:], now)
    if choice == "countdown":
        await replace_or_reply(update, context.text("ord_paste_countdown"))
        return WHEN
    await replace_or_reply(update, context.text("ord_ask_when"), _when_keyboard(context))
    return WHEN


def _days_keyboard(now: datetime) -> InlineKeyboardMarkup:
    today = now.astimezone(BEIJING).date()
    days = [today - timedelta(days=n) for n in range(2, 14)]
    buttons = [
        InlineKeyboardButton(day.strftime("%a %d %b"), callback_data=TRACK.pack(f"d{day:%Y%m%d}"))
        for day in days
    ]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


async def _picked_day(update: Update, context: BotContext, digits: str, now: datetime) -> int:
    try:
        day = datetime.strptime(digits, "%Y%m%d").replace(tzinfo=BEIJING)
    except ValueError:
        return await when_pressed_again(update, context)
    # Midday Beijing time: the hour is unknown, and noon is off by at most half a day.
    shipped = day.replace(hour=12).astimezone(UTC)
    if shipped > now or now - shipped > timedelta(days=60):
        return await when_pressed_again(update, context)
    return await _ask_label(update, context, shipped_at=shipped)


async def when_pressed_again(update: Update, context: BotContext) -> int:
    await replace_or_reply(update, context.text("ord_ask_when"), _when_keyboard(context))
    return WHEN


async def when_typed(update: Update, context: BotContext) -> int:
    text = (update.effective_message.text or "") if update.effective_message else ""
    parsed = parse_track_text(text.strip(), context.clock.now())
    if parsed is None:
        if _model_can_read(context, text):
            return await _read_page(update, context, text.strip())
        await reply(update, context.text("ord_not_understood", text=text[:80]))
        return WHEN
    shipped_at, countdown, label = parsed
    if label:
        await _create(update, context, shipped_at, countdown, label)
        return ConversationHandler.END
    return await _ask_label(update, context, shipped_at=shipped_at, countdown=countdown)


async def _ask_label(
    update: Update,
    context: BotContext,
    *,
    shipped_at: datetime | None = None,
    countdown: datetime | None = None,
    order_number: str | None = None,
) -> int:
    context.state.flow["track"] = {
        "shipped_at": shipped_at.isoformat() if shipped_at else None,
        "countdown": countdown.isoformat() if countdown else None,
        "order_number": order_number,
    }
    skip = InlineKeyboardButton(
        context.text("ord_label_skip"), callback_data=TRACK.pack("nolabel")
    )
    await replace_or_reply(update, context.text("ord_ask_label"), InlineKeyboardMarkup([[skip]]))
    return LABEL


async def label_given(update: Update, context: BotContext) -> int:
    label = None
    if update.callback_query is not None:
        await acknowledge(update)
    elif update.effective_message is not None:
        label = (update.effective_message.text or "").strip()[:MAX_LABEL] or None
    pending = context.state.flow.pop("track", None)
    if not isinstance(pending, dict):
        await reply(update, context.text("ord_ask_when"), _when_keyboard(context))
        return WHEN
    shipped_at = _from_iso(pending.get("shipped_at"))
    countdown = _from_iso(pending.get("countdown"))
    number = pending.get("order_number")
    order_number = number if isinstance(number, str) else None
    await _create(update, context, shipped_at, countdown, label, order_number=order_number)
    return ConversationHandler.END


def _from_iso(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


async def _create(
    update: Update,
    context: BotContext,
    shipped_at: datetime | None,
    countdown: datetime | None,
    label: str | None,
    *,
    order_number: str | None = None,
) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    now = context.clock.now()
    async with context.session() as session, session.begin():
        count = len(await order_service.open_orders(session, user.id))
        order, due = await order_service.create_order(
            session,
            user_id=user.id,
            chat_id=chat.id,
            label=label or context.text("ord_default_label", number=count + 1),
            now=now,
            policy=context.services.reminder_policy,
            shipped_at=shipped_at,
            countdown_deadline=countdown,
            order_number=order_number,
            source_update_id=update.update_id,
        )
        text, keyboard = await _card(session, order, context, now)
    context.services.note_new_reminders(due)
    await replace_or_reply(update, context.text("ord_tracking") + "\n\n" + text, keyboard)


# -- the order card ------------------------------------------------------------------------


async def _card(
    session: AsyncSession, order: Order, context: BotContext, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    user = await session.get(User, order.user_id)
    return render_card(order, context.language, _zone(user, context), now), card_keyboard(
        order, context.language
    )


def _zone(user: User | None, context: BotContext) -> tzinfo:
    return zone_for(user.timezone if user else None, context.settings.default_timezone)


def render_card(order: Order, language: str, zone: tzinfo, now: datetime) -> str:
    lines = [
        translate(language, "ord_card_title", label=order.label),
        translate(language, f"ord_state_{order.state}"),
    ]
    if order.order_number:
        lines.append(translate(language, "ord_number", number=order.order_number))
    lines.append("")
    lines.append(deadline_lines(order, language, zone, now))
    return "\n".join(lines)


def deadline_lines(order: Order, language: str, zone: tzinfo, now: datetime) -> str:
    if order.pause_started_at is not None:
        return translate(language, "ord_clock_paused")
    if order.deadline_at is None:
        return translate(language, "ord_no_deadline")
    if reminders_stop(OrderState(order.state)):
        return translate(language, "ord_reminders_stopped")
    left = order.deadline_at - now
    return translate(
        language,
        "ord_deadline",
        beijing=format_local(order.deadline_at, BEIJING, language),
        local=format_local(order.deadline_at, zone, language),
        zone=display_name(str(zone), now),
        left=format_left(left, language),
    )


def card_keyboard(order: Order, language: str) -> InlineKeyboardMarkup:
    def button(key: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            translate(language, key), callback_data=CARD.pack(order.id, action)
        )

    state = OrderState(order.state)
    rows: list[list[InlineKeyboardButton]] = []
    if state in (OrderState.SHIPPED, OrderState.AWAITING_SHIPMENT):
        rows.append([button("ord_btn_sign", "sign")])
    if state in (OrderState.SHIPPED, OrderState.SIGNED, OrderState.PROBLEM):
        rows.append([button("ord_btn_ok", "ok"), button("ord_btn_problem", "problem")])
        rows.append(
            [
                button(f"ord_btn_ext{days}", f"ext{days}")
                for days in order_service.EXTENSION_CHOICES
            ]
        )
    if state is OrderState.PROBLEM:
        rows.append([button("ord_btn_refund", "refund")])
    if state is OrderState.REFUND_REQUESTED:
        rows.append([button("ord_btn_escalate", "escalate")])
    if state is not OrderState.CLOSED:
        rows.append([button("ord_btn_close", "close")])
    rows.append([button("ord_btn_edit", "edit"), button("ord_btn_delete", "del")])
    return InlineKeyboardMarkup(rows)


async def card_pressed(update: Update, context: BotContext) -> int | None:
    parts = CARD.unpack(update.callback_query.data if update.callback_query else None)
    user = update.effective_user
    order_id = parse_number(parts[0]) if parts else None
    if parts is None or user is None or order_id is None:
        await acknowledge(update, context.text("button_expired_alert"), alert=True)
        return None
    action = parts[1]
    if action == "edit":
        return await _start_edit(update, context, user.id, order_id)
    if action == "card":
        await show_card(update, context)
        return None
    await _card_action(update, context, user.id, order_id, action)
    return None


async def _card_action(
    update: Update, context: BotContext, user_id: int, order_id: int, action: str
) -> None:
    now = context.clock.now()
    policy = context.services.reminder_policy
    async with context.session() as session, session.begin():
        order = await order_service.get_order(session, user_id, order_id)
        if order is None:
            await acknowledge(update, context.text("ord_gone"), alert=True)
            return
        if action == "del":
            await _confirm_delete(update, context, order)
            return
        if action == "delyes":
            await order_service.delete_order(session, user_id, order_id)
            await acknowledge(update)
            await replace_or_reply(update, context.text("ord_deleted", label=order.label))
            return
        due, note = await _apply(update, session, order, action, now, policy, context)
        if note is None:
            return
        text, keyboard = await _card(session, order, context, now)
    context.services.note_new_reminders(due)
    await acknowledge(update, note)
    await replace_or_reply(update, text, keyboard)


async def _apply(
    update: Update,
    session: AsyncSession,
    order: Order,
    action: str,
    now: datetime,
    policy: order_service.ReminderPolicy,
    context: BotContext,
) -> tuple[list[datetime], str | None]:
    """Returns the new due times and the short confirmation, or a None note when the press
    was refused (already answered)."""
    try:
        if action in _ACTIONS:
            due = await order_service.apply_action(session, order, _ACTIONS[action], now, policy)
            return due, context.text(f"ord_done_{action}")
        if action.startswith("ext") and parse_number(action[3:]) is not None:
            days = int(action[3:])
            if days not in order_service.EXTENSION_CHOICES:
                raise InvalidTransition(action)
            due = await order_service.apply_action(
                session, order, OrderAction.EXTEND, now, policy, days=days
            )
            return due, context.text("ord_done_ext", days=days)
        if action.startswith("snz") and parse_number(action[3:]) in (1, 3):
            hours = int(action[3:])
            await order_service.add_snooze(session, order, now, timedelta(hours=hours))
            return [now + timedelta(hours=hours)], context.text("ord_done_snooze", hours=hours)
    except InvalidTransition:
        await acknowledge(update, context.text("ord_not_now"), alert=True)
        return [], None
    await acknowledge(update, context.text("button_expired_alert"), alert=True)
    return [], None


async def _confirm_delete(update: Update, context: BotContext, order: Order) -> None:
    await acknowledge(update)
    yes = InlineKeyboardButton(
        context.text("ord_delete_yes"), callback_data=CARD.pack(order.id, "delyes")
    )
    no = InlineKeyboardButton(
        context.text("ord_delete_no"), callback_data=CARD.pack(order.id, "card")
    )
    text = context.text("ord_delete_confirm", label=order.label)
    await replace_or_reply(update, text, InlineKeyboardMarkup([[yes], [no]]))


async def show_card(update: Update, context: BotContext) -> None:
    parts = CARD.unpack(update.callback_query.data if update.callback_query else None)
    user = update.effective_user
    order_id = parse_number(parts[0]) if parts else None
    if user is None or order_id is None:
        await acknowledge(update, context.text("button_expired_alert"), alert=True)
        return
    now = context.clock.now()
    async with context.session() as session:
        order = await order_service.get_order(session, user.id, order_id)
        if order is None:
            await acknowledge(update, context.text("ord_gone"), alert=True)
            return
        text, keyboard = await _card(session, order, context, now)
    await acknowledge(update)
    await replace_or_reply(update, text, keyboard)


# -- edit: a new countdown or a new name ---------------------------------------------------


async def _start_edit(
    update: Update, context: BotContext, user_id: int, order_id: int
) -> int | None:
    # Refused before the question, not after the answer: someone else's order id must not
    # get as far as "send the new countdown".
    async with context.session() as session:
        if await order_service.get_order(session, user_id, order_id) is None:
            await acknowledge(update, context.text("ord_gone"), alert=True)
            return None
    await acknowledge(update)
    context.state.flow["edit_order"] = order_id
    await replace_or_reply(update, context.text("ord_edit_prompt"))
    return EDIT


async def edit_typed(update: Update, context: BotContext) -> int:
    text = ((update.effective_message.text or "") if update.effective_message else "").strip()
    order_id = context.state.flow.pop("edit_order", None)
    user = update.effective_user
    if not isinstance(order_id, int) or user is None or not text:
        await reply(update, context.text("ord_gone"))
        return ConversationHandler.END
    now = context.clock.now()
    policy = context.services.reminder_policy
    async with context.session() as session, session.begin():
        order = await order_service.get_order(session, user.id, order_id)
        if order is None:
            await reply(update, context.text("ord_gone"))
            return ConversationHandler.END
        due: list[datetime] = []
        start = _parse_start(text, now)
        if start is not None and start[1] is not None:
            due = await order_service.set_countdown(session, order, start[1], now, policy)
        else:
            order.label = text[:MAX_LABEL]
            order.updated_at = now
        card_text, keyboard = await _card(session, order, context, now)
    context.services.note_new_reminders(due)
    await reply(update, card_text, keyboard)
    return ConversationHandler.END


# -- /orders -----------------------------------------------------------------------------


async def list_orders(update: Update, context: BotContext) -> None:
    await acknowledge(update)
    user = update.effective_user
    if user is None:
        return
    now = context.clock.now()
    async with context.session() as session:
        orders = await order_service.open_orders(session, user.id)
    if not orders:
        await replace_or_reply(update, context.text("ord_none"))
        return
    rows = []
    for order in orders[:30]:
        left = format_left(order.deadline_at - now, context.language) if order.deadline_at else "–"
        label = f"{order.label[:30]} · {left}"
        rows.append([InlineKeyboardButton(label, callback_data=CARD.pack(order.id, "card"))])
    await replace_or_reply(update, context.text("ord_list_title"), InlineKeyboardMarkup(rows))


# -- reminders ------------------------------------------------------------------------------


def reminder_renderer(clock: Clock) -> RenderReminder:
    """The engine's render callback: each reminder worded for the moment it is sent."""

    async def render(row: ReminderRow, session: AsyncSession) -> RenderedReminder | None:
        return await render_reminder(row, session, clock.now())

    return render


async def render_reminder(
    row: ReminderRow, session: AsyncSession, now: datetime
) -> RenderedReminder | None:
    """The reminder message; None when the order no longer needs it (the engine cancels)."""
    order = await session.get(Order, row.order_id)
    user = await session.get(User, row.user_id)
    language = user.language if user and user.language else "en"
    # A dispute follow-up comes while the refund has the clock paused.
    if order is not None and row.kind == disputes.REMINDER_KIND:
        followup = disputes.render_dispute_reminder(order, row, language)
        if followup is None:
            return None
        return RenderedReminder(followup, disputes.dispute_reminder_keyboard(order, language))
    if order is None or reminders_stop(OrderState(order.state)) or order.pause_started_at:
        return None
    zone = zone_for(user.timezone if user else None)
    deadline = order.deadline_at or row.deadline_at
    kind = _reminder_kind(row.kind, deadline, now)
    text = translate(language, f"ord_reminder_{kind}", label=order.label)
    if deadline is not None and kind != "inspect":
        text += "\n\n" + deadline_lines(order, language, zone, now)
    text += "\n\n" + translate(language, f"ord_reminder_todo_{kind}")
    if row.in_doubt:
        text = translate(language, "ord_reminder_repeat") + "\n" + text
    return RenderedReminder(text, _reminder_keyboard(order, language))


def _reminder_kind(kind: str, deadline: datetime | None, now: datetime) -> str:
    if kind == "inspect":
        return "inspect"
    if deadline is not None and deadline <= now:
        return "passed"
    return "due"


def _reminder_keyboard(order: Order, language: str) -> InlineKeyboardMarkup:
    keyboard = list(card_keyboard(order, language).inline_keyboard)
    snooze = [
        InlineKeyboardButton(
            translate(language, f"ord_btn_snz{hours}"),
            callback_data=CARD.pack(order.id, f"snz{hours}"),
        )
        for hours in (1, 3)
    ]
    # Edit and delete stay on the card; a reminder offers what to do now.
    return InlineKeyboardMarkup([*keyboard[:-1], snooze])


# A countdown pasted on its own ("还剩6天23小时59分", "6d 23h left") means "track this".
_COUNTDOWN_WORDS = re.compile(r"还剩|剩余|剩下|\bleft\b|\bremaining\b|осталось", re.IGNORECASE)
MAX_COUNTDOWN_MESSAGE = 120


class _CountdownTalk(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        text = message.text or ""
        if len(text) > MAX_COUNTDOWN_MESSAGE or not _COUNTDOWN_WORDS.search(text):
            return False
        # Only whether it reads as a countdown: the deadline is computed once it is tracked.
        duration = countdown_duration(text)
        return duration is not None and duration <= MAX_COUNTDOWN


COUNTDOWN_TALK = _CountdownTalk(name="CountdownTalk")


async def countdown_pasted(update: Update, context: BotContext) -> int:
    text = (update.effective_message.text or "") if update.effective_message else ""
    return await _track_inline(update, context, text.strip())


# -- a pasted order page, read by the AI helper (only when the model is configured) ------
#
# The rules read a countdown typed on its own; a whole order page (order number, times,
# 确认收货, the countdown somewhere in the middle) is too much for them. The model points
# at the countdown and the order number; bot.domain.extraction_checks keeps them only if
# they are in the page and our parsers read them; our parser computes the deadline; and
# the user confirms it with our buttons before anything is tracked. Reminder timing never
# depends on a reading nobody confirmed.


def _model_can_read(context: BotContext, text: str) -> bool:
    """The rules could not read `text`, which the user gave us as the order's time: worth
    the model's reading when there is a model and the text looks copied from the page."""
    return context.services.llm is not None and looks_like_order_page(text, asked_for_time=True)


class _OrderPage(filters.MessageFilter):
    """A whole order page pasted unprompted. A payment request the payment checker has a
    verdict on stays the checker's, even when it quotes an order ("订单异常，请先确认收货")."""

    def filter(self, message: Message) -> bool:
        text = message.text or ""
        if not looks_like_order_page(text):
            return False
        return classify_payment(text).verdict is Verdict.UNCLEAR


ORDER_PAGE = _OrderPage(name="OrderPage")


async def order_page_pasted(update: Update, context: BotContext) -> int:
    text = (update.effective_message.text or "") if update.effective_message else ""
    return await _read_page(update, context, text.strip())


async def _read_page(update: Update, context: BotContext, text: str) -> int:
    """Ask the model to read the page; offer what survives the checks for confirmation."""
    model, user = context.services.llm, update.effective_user
    if model is None or user is None:
        await reply(update, context.text("ord_not_understood", text=text[:80]))
        return WHEN
    # The countdown on the page was true when it was pasted: the deadline is counted from
    # now, not from whenever the user gets round to tapping "Yes".
    now = context.clock.now()
    result = await read_order_page(model, text, user_id=user.id, now=now)
    if result.miss is not None:
        note = assistant_note(context, result.miss)
        rules = context.text("ord_not_understood", text=text[:80])
        await reply(update, "\n\n".join(part for part in (note, rules) if part))
        return WHEN
    if result.reading is None:
        # The model answered, but nothing it read is in the page as a time we understand.
        await reply(update, context.text("ord_page_not_found"), _when_keyboard(context))
        return WHEN
    offer = secrets.token_hex(4)
    context.state.flow["track_page"] = {
        "offer": offer,
        "deadline": result.reading.deadline.isoformat(),
        "order_number": result.reading.order_number,
    }
    text_shown = _page_reading(context, result.reading, now)
    await reply(update, text_shown, _page_keyboard(context, offer))
    return WHEN


def _page_reading(context: BotContext, reading: OrderReading, now: datetime) -> str:
    lines = [
        context.text(
            "ord_page_read",
            left=format_left(reading.deadline - now, context.language),
            # Words of the pasted page, chosen by the model: shown inert all the same.
            quote=Html(model_text_html(reading.quote)),
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
        return InlineKeyboardButton(text, callback_data=PAGE.pack(answer, offer))

    return InlineKeyboardMarkup([[button("yes")], [button("no")]])


async def page_answered(update: Update, context: BotContext) -> int | None:
    """Yes: continue exactly as a typed countdown does (the name, then the card). No: the
    usual question. Anything else (an old keyboard, forged data) confirms nothing."""
    parts = PAGE.unpack(update.callback_query.data if update.callback_query else None)
    pending = context.state.flow.get("track_page")
    if (
        parts is None
        or parts[0] not in ("yes", "no")
        or not isinstance(pending, dict)
        or pending.get("offer") != parts[1]
    ):
        await acknowledge(update, context.text("button_expired_alert"), alert=True)
        return None
    context.state.flow.pop("track_page", None)
    deadline = _from_iso(pending.get("deadline"))
    if parts[0] == "no" or deadline is None or deadline <= context.clock.now():
        await acknowledge(update)
        await replace_or_reply(update, context.text("ord_ask_when"), _when_keyboard(context))
        return WHEN
    await acknowledge(update)
    number = pending.get("order_number")
    return await _ask_label(
        update,
        context,
        countdown=deadline,
        order_number=number if isinstance(number, str) else None,
    )


def conversation(fallbacks: list[AnyHandler], *, assisted: bool = False) -> StoredConversation:
    """The /track conversation; `assisted` (a model is configured) adds the pasted order
    page and its confirmation buttons, so without a model nothing changes."""
    text_only = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
    entry_points: list[AnyHandler] = [
        CommandHandler("track", track),
        MessageHandler(text_only & COUNTDOWN_TALK, countdown_pasted),
        CallbackQueryHandler(track, pattern=MENU.exact("track")),
        CallbackQueryHandler(card_pressed, pattern=CARD.pattern),
    ]
    page: list[AnyHandler] = []
    if assisted:
        page = [CallbackQueryHandler(page_answered, pattern=PAGE.pattern)]
        entry_points += [*page, MessageHandler(text_only & ORDER_PAGE, order_page_pasted)]
    text = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
    states: dict[object, list[AnyHandler]] = {
        WHEN: [
            CallbackQueryHandler(when_pressed, pattern=TRACK.pattern),
            *page,
            MessageHandler(text, when_typed),
        ],
        LABEL: [
            CallbackQueryHandler(label_given, pattern=TRACK.exact("nolabel")),
            MessageHandler(text, label_given),
        ],
        EDIT: [MessageHandler(text, edit_typed)],
    }
    return StoredConversation(
        name="track",
        entry_points=entry_points,
        states=states,
        fallbacks=fallbacks,
        idle_timeout=timedelta(minutes=30),
    )


ORDER_LIST: list[AnyHandler] = [
    CommandHandler("orders", list_orders),
    CallbackQueryHandler(list_orders, pattern=MENU.exact("orders")),
]
