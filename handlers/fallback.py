"""What nobody else handled: unknown commands, free text, other media, stale buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from handlers.keyboards import main_menu
from handlers.replies import acknowledge, replace_or_reply, reply

_FRESH = ~filters.UpdateType.EDITED


async def unknown_command(update: Update, context: BotContext) -> None:
    text = update.effective_message.text if update.effective_message else ""
    command = (text or "/").split()[0].split("@")[0][:40]
    await reply(update, context.text("unknown_command", command=command))


async def free_text(update: Update, context: BotContext) -> None:
    await reply(update, context.text("fallback_text"), main_menu(context.language))


async def other_message(update: Update, context: BotContext) -> None:
    await reply(update, context.text("fallback_media"), main_menu(context.language))


async def stale_button(update: Update, context: BotContext) -> None:
    """Buttons from old messages, or data a modified client made up."""
    await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
    await replace_or_reply(update, context.text("button_expired"), main_menu(context.language))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handlers(
        [
            MessageHandler(filters.COMMAND & _FRESH, unknown_command),
            MessageHandler(filters.TEXT & _FRESH, free_text),
            MessageHandler(filters.ALL & _FRESH & filters.ChatType.PRIVATE, other_message),
            CallbackQueryHandler(stale_button),
        ]
    )
