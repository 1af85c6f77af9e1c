"""/privacy and /forgetme: what the bot keeps, and erasing all of it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callback_codec import CallbackRoute
from bot.context import BotContext
from bot.db import users
from handlers.keyboards import MENU, main_menu
from handlers.replies import acknowledge, replace_or_reply

FORGET = CallbackRoute("forget")


async def show_privacy(update: Update, context: BotContext) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.text("btn_forgetme"), callback_data=MENU.pack("forgetme")
                )
            ],
            [InlineKeyboardButton(context.text("btn_menu"), callback_data=MENU.pack("show"))],
        ]
    )
    await replace_or_reply(update, context.text("privacy"), keyboard)


async def ask_forget(update: Update, context: BotContext) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(context.text("forgetme_yes"), callback_data=FORGET.pack("yes"))],
            [InlineKeyboardButton(context.text("forgetme_no"), callback_data=FORGET.pack("no"))],
        ]
    )
    await replace_or_reply(update, context.text("forgetme_confirm"), keyboard)


async def answer_forget(update: Update, context: BotContext) -> None:
    parts = FORGET.unpack(update.callback_query.data if update.callback_query else None)
    user = update.effective_user
    if user is None or parts is None or parts[0] not in ("yes", "no"):
        await acknowledge(update, context.text("button_expired_alert"), alert=True)
        return
    await acknowledge(update)
    if parts[0] == "no":
        await replace_or_reply(update, context.text("forgetme_kept"), main_menu(context.language))
        return
    farewell = context.text("forgetme_done")
    async with context.session() as session, session.begin():
        await users.delete_user(session, user.id)
    # The in-memory copy goes too, so nothing about the user outlives the rows.
    context.application.drop_user_data(user.id)
    await replace_or_reply(update, farewell, None)


HANDLERS = [
    CommandHandler("privacy", show_privacy),
    CommandHandler("forgetme", ask_forget),
    CallbackQueryHandler(answer_forget, pattern=FORGET.pattern),
]
