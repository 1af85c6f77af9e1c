"""The error handler: log with the traceback, apologise to the user, tell the admins."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.render.i18n import DEFAULT_LANGUAGE, translate

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update):
        await _apologise(update, context)
    await _notify_admins(update, context)


async def _apologise(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await chat.send_message(context.text("error_apology"))
    except TelegramError:
        log.warning("could not send the apology", exc_info=True)


async def _notify_admins(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else "-"
    note = translate(
        DEFAULT_LANGUAGE,
        "admin_error_note",
        error=type(context.error).__name__,
        update_id=update_id,
    )
    for admin_id in sorted(context.settings.admin_ids):
        try:
            await context.bot.send_message(admin_id, note)
        except Forbidden:
            log.warning("admin %s has not started the bot; cannot notify", admin_id)
        except TelegramError:
            log.warning("could not notify admin %s", admin_id, exc_info=True)
