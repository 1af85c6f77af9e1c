"""/privacy and /forgetme: what the bot keeps, and erasing all of it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from handlers import routes
from handlers.keyboards import main_menu
from handlers.replies import acknowledge, pressed_choice, replace_or_reply
from handlers.routes import MENU


async def show_privacy(update: Update, context: BotContext) -> None:
    keeping = context.state.keep_texts
    toggle = InlineKeyboardButton(
        context.text("btn_keep_texts_off" if keeping else "btn_keep_texts_on"),
        callback_data=routes.KEEP_TEXTS.pack("off" if keeping else "on"),
    )
    erase = InlineKeyboardButton(context.text("btn_forgetme"), callback_data=MENU.pack("forgetme"))
    back = InlineKeyboardButton(context.text("btn_menu"), callback_data=MENU.pack("show"))
    status = context.text("privacy_on" if keeping else "privacy_off")
    text = context.text("privacy", keep_texts=status)
    await replace_or_reply(update, text, InlineKeyboardMarkup([[toggle], [erase], [back]]))


async def toggle_keep_texts(update: Update, context: BotContext) -> None:
    choice = await pressed_choice(update, context, routes.KEEP_TEXTS, ("on", "off"))
    if choice is None or update.effective_user is None:
        return
    keep = choice == "on"
    await context.services.users.set_keep_texts(update.effective_user.id, keep)
    context.state.keep_texts = keep
    await acknowledge(update, context)
    await show_privacy(update, context)


async def ask_forget(update: Update, context: BotContext) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.text("forgetme_yes"), callback_data=routes.FORGET_ME.pack("yes")
                )
            ],
            [
                InlineKeyboardButton(
                    context.text("forgetme_no"), callback_data=routes.FORGET_ME.pack("no")
                )
            ],
        ]
    )
    await replace_or_reply(update, context.text("forgetme_confirm"), keyboard)


async def answer_forget(update: Update, context: BotContext) -> None:
    choice = await pressed_choice(update, context, routes.FORGET_ME, ("yes", "no"))
    user = update.effective_user
    if choice is None or user is None:
        return
    await acknowledge(update, context)
    if choice == "no":
        await replace_or_reply(update, context.text("forgetme_kept"), main_menu(context.language))
        return
    farewell = context.text("forgetme_done")
    await context.services.users.forget(user.id)
    # The in-memory copy goes too, so nothing about the user outlives the rows.
    context.application.drop_user_data(user.id)
    await replace_or_reply(update, farewell, None)


HANDLERS = [
    CommandHandler("privacy", show_privacy),
    CommandHandler("forgetme", ask_forget),
    CallbackQueryHandler(answer_forget, pattern=routes.FORGET_ME.pattern),
    CallbackQueryHandler(toggle_keep_texts, pattern=routes.KEEP_TEXTS.pattern),
]
