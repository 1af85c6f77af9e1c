"""/language: choose the language of every reply."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.render.i18n import available_languages, translate
from handlers import routes
from handlers.keyboards import menu_button
from handlers.replies import acknowledge, pressed_choice, replace_or_reply


def _choices(current: str) -> InlineKeyboardMarkup:
    rows = []
    for code in available_languages():
        name = translate(code, "language_name")
        label = f"✅ {name}" if code == current else name
        rows.append([InlineKeyboardButton(label, callback_data=routes.LANGUAGE.pack(code))])
    return InlineKeyboardMarkup(rows)


async def ask_language(update: Update, context: BotContext) -> None:
    await replace_or_reply(update, context.text("language_prompt"), _choices(context.language))


async def choose_language(update: Update, context: BotContext) -> None:
    chosen = await pressed_choice(update, context, routes.LANGUAGE, available_languages())
    if chosen is None or update.effective_user is None:
        return
    await context.services.users.set_language(update.effective_user.id, chosen)
    context.state.language = chosen
    await acknowledge(update, context)
    name = context.text("language_name")
    await replace_or_reply(
        update, context.text("language_set", language=name), menu_button(context.language)
    )


HANDLERS = [
    CommandHandler("language", ask_language),
    CallbackQueryHandler(choose_language, pattern=routes.LANGUAGE.pattern),
]
