"""/language: choose the language of every reply."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callback_codec import CallbackRoute
from bot.context import BotContext
from bot.db import users
from bot.i18n import available_languages, translate
from handlers.keyboards import menu_button
from handlers.replies import acknowledge, replace_or_reply

LANGUAGE = CallbackRoute("lang")


def _choices(current: str) -> InlineKeyboardMarkup:
    rows = []
    for code in available_languages():
        name = translate(code, "language_name")
        label = f"✅ {name}" if code == current else name
        rows.append([InlineKeyboardButton(label, callback_data=LANGUAGE.pack(code))])
    return InlineKeyboardMarkup(rows)


async def ask_language(update: Update, context: BotContext) -> None:
    await replace_or_reply(update, context.text("language_prompt"), _choices(context.language))


async def choose_language(update: Update, context: BotContext) -> None:
    parts = LANGUAGE.unpack(update.callback_query.data if update.callback_query else None)
    user = update.effective_user
    if not parts or parts[0] not in available_languages() or user is None:
        await acknowledge(update, context.text("button_expired_alert"), alert=True)
        return
    async with context.session() as session, session.begin():
        await users.set_language(session, user.id, parts[0])
    context.state.language = parts[0]
    await acknowledge(update)
    name = context.text("language_name")
    await replace_or_reply(
        update, context.text("language_set", language=name), menu_button(context.language)
    )


HANDLERS = [
    CommandHandler("language", ask_language),
    CallbackQueryHandler(choose_language, pattern=LANGUAGE.pattern),
]
