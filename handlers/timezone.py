"""/timezone: where the user lives, so every deadline shows in their time and Beijing's.

See timezone.mmd for the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import AnyHandler, BotContext
from bot.db import users
from bot.domain.timezones import (
    BEIJING,
    TimezoneChoice,
    display_name,
    format_local,
    parse_timezone,
    utc_offset_label,
)
from bot.runtime.persistence import StoredConversation
from bot.services import orders as order_service
from handlers import routes
from handlers.keyboards import menu_button
from handlers.replies import acknowledge, replace_or_reply, reply
from handlers.routes import MENU

CHOOSING = 1

# Where most of our users buy from or live; anything else is typed. Labels: tz_city_<zone>.
SUGGESTED_ZONES = (
    "Asia/Shanghai",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Dubai",
    "Asia/Almaty",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
)


def _suggestions(context: BotContext) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            context.text(f"tz_city_{zone}"), callback_data=routes.TIMEZONE.pack(zone)
        )
        for zone in SUGGESTED_ZONES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def ask_timezone(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    typed = " ".join(context.args or []) if update.message else ""
    if typed:
        return await _apply(update, context, typed)
    stored = context.state.timezone or context.settings.default_timezone
    current = display_name(stored, context.clock.now())
    await replace_or_reply(
        update, context.text("timezone_prompt", current=current), _suggestions(context)
    )
    return CHOOSING


async def typed_timezone(update: Update, context: BotContext) -> int:
    text = update.effective_message.text if update.effective_message else None
    return await _apply(update, context, text or "")


async def pressed_timezone(update: Update, context: BotContext) -> int:
    parts = routes.TIMEZONE.unpack(update.callback_query.data if update.callback_query else None)
    await acknowledge(update, context)
    return await _apply(update, context, parts[0] if parts else "")


async def not_text(update: Update, context: BotContext) -> int:
    await reply(update, context.text("timezone_not_text"))
    return CHOOSING


async def _apply(update: Update, context: BotContext, typed: str) -> int:
    choice = parse_timezone(typed)
    user = update.effective_user
    if choice is None or user is None:
        shown = typed if len(typed) <= 64 else typed[:61] + "…"
        await reply(update, context.text("timezone_unknown", text=shown))
        return CHOOSING
    async with context.session() as session, session.begin():
        await users.set_timezone(session, user.id, choice.name)
        # Quiet hours are in the user's own time, so their reminders move with the zone.
        due = await order_service.replan_user_orders(
            session, user.id, context.clock.now(), context.services.reminder_policy
        )
    context.services.note_new_reminders(due)
    context.state.timezone = choice.name
    await replace_or_reply(update, _confirmation(context, choice), menu_button(context.language))
    return ConversationHandler.END


def _confirmation(context: BotContext, choice: TimezoneChoice) -> str:
    now = context.clock.now()
    zone = choice.tzinfo()
    return context.text(
        "timezone_set",
        zone=display_name(choice.name, now),
        offset=utc_offset_label(zone, now),
        local=format_local(now, zone, context.language),
        beijing=format_local(now, BEIJING, context.language),
    )


def conversation(fallbacks: Sequence[AnyHandler]) -> StoredConversation:
    """The /timezone conversation; `fallbacks` are the ways out (commands, menu buttons)."""
    pressed: AnyHandler = CallbackQueryHandler(pressed_timezone, pattern=routes.TIMEZONE.pattern)
    entry_points: list[AnyHandler] = [
        CommandHandler("timezone", ask_timezone),
        CallbackQueryHandler(ask_timezone, pattern=MENU.exact("timezone")),
        pressed,
    ]
    choosing: list[AnyHandler] = [
        pressed,
        MessageHandler(filters.TEXT & ~filters.COMMAND, typed_timezone),
        MessageHandler(~filters.COMMAND & ~filters.UpdateType.EDITED, not_text),
    ]
    return StoredConversation(
        name="timezone",
        entry_points=entry_points,
        states={CHOOSING: choosing},
        fallbacks=list(fallbacks),
        idle_timeout=timedelta(minutes=15),
    )
