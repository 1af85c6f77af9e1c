"""/start, /help, /menu and the main menu's buttons."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.domain.timezones import short_display_name
from handlers import (
    disputes,
    ip,
    language,
    orders,
    payments,
    privacy,
    registration,
    spec,
    suppliers,
)
from handlers.keyboards import main_menu
from handlers.replies import acknowledge, replace_or_reply, reply
from handlers.routes import MENU

_LONGEST_NAME = 16
_DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def start(update: Update, context: BotContext) -> None:
    payload = context.args[0] if context.args else ""
    # Deep links (t.me/bot?start=timezone) open a screen directly; anything else is ignored.
    if _DEEP_LINK_PAYLOAD.fullmatch(payload) and payload in _SCREENS:
        await _SCREENS[payload](update, context)
        return
    user = update.effective_user
    name = _short_name(user.first_name if user else "")
    zone = short_display_name(
        context.state.timezone or context.settings.default_timezone, context.clock.now()
    )
    await reply(
        update,
        context.text("welcome", name=name, timezone=zone),
        main_menu(context.language),
    )


def _short_name(name: str) -> str:
    # Telegram allows 64-character names; a long one must not push the welcome past a
    # phone screen.
    return name if len(name) <= _LONGEST_NAME else name[: _LONGEST_NAME - 1] + "…"


async def show_help(update: Update, context: BotContext) -> None:
    """Every command, grouped, on one screen; "More" opens the details in place."""
    await reply(update, context.text("help"), _help_keyboard(context))


async def _help_more(update: Update, context: BotContext) -> None:
    back = InlineKeyboardButton(context.text("btn_back"), callback_data=MENU.pack("help_back"))
    menu = InlineKeyboardButton(context.text("btn_menu"), callback_data=MENU.pack("show"))
    await replace_or_reply(update, context.text("help_more"), InlineKeyboardMarkup([[back, menu]]))


async def _help_back(update: Update, context: BotContext) -> None:
    await replace_or_reply(update, context.text("help"), _help_keyboard(context))


def _help_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    more = InlineKeyboardButton(
        context.text("help_btn_more"), callback_data=MENU.pack("help_more")
    )
    menu = InlineKeyboardButton(context.text("btn_menu"), callback_data=MENU.pack("show"))
    return InlineKeyboardMarkup([[more, menu]])


async def show_menu(update: Update, context: BotContext) -> None:
    await reply(update, context.text("menu_title"), main_menu(context.language))


async def on_menu_button(update: Update, context: BotContext) -> None:
    item = MENU.unpack(update.callback_query.data if update.callback_query else None)
    screen = _SCREENS.get(item[0]) if item else None
    if screen is None:
        # The menu it came from is still on screen, so a short alert is enough.
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return
    await screen(update, context)
    # After the screen, so that its own answer (an alert, say) is the one the user sees.
    await acknowledge(update, context)


async def _menu_in_place(update: Update, context: BotContext) -> None:
    await replace_or_reply(update, context.text("menu_title"), main_menu(context.language))


_SCREENS = {
    "show": _menu_in_place,
    "help": show_help,
    "help_more": _help_more,
    "help_back": _help_back,
    "language": language.ask_language,
    "privacy": privacy.show_privacy,
    # Reached from inside another conversation, whose exits end it and come here.
    "pay": payments.ask_for_request,
    "check": suppliers.from_menu,
    "suppliers": suppliers.list_checks,
    "track": orders.track,
    "orders": orders.list_orders,
    "dispute": disputes.dispute_command,
    "register": registration.from_menu,
    "spec": spec.from_menu,
    "ip": ip.from_menu,
    "forgetme": privacy.ask_forget,
}

START = CommandHandler("start", start)
HELP = CommandHandler("help", show_help)
MENU_COMMAND = CommandHandler("menu", show_menu)
MENU_BUTTONS = CallbackQueryHandler(on_menu_button, pattern=MENU.pattern)
