"""The error handler: log with the traceback, apologise to the user, tell the admins.

Only for the bot's own failures. What Telegram refuses because of how a person used it (a
double tap that edits a message into what it already says, a press answered after
Telegram gave up on it) is no failure: the press is answered if it still can be, the
slip is logged at INFO, and nobody is apologised to or paged. Nor is a reply refused
because its group has just become a supergroup: the group's orders and reminders follow
it (handlers/groups.py), and the person is asked there to send their message again.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.context import BotContext
from bot.render.i18n import DEFAULT_LANGUAGE, translate
from handlers.replies import acknowledge

log = logging.getLogger(__name__)

# Telegram's words (lower-cased) for refusals a person's own timing causes.
_SLIPS = (
    "message is not modified",  # the same button twice: the message already says it
    "query is too old",  # a press answered after Telegram stopped waiting
    "query id is invalid",
    "query_id_invalid",
)


def is_user_slip(error: object) -> bool:
    return isinstance(error, BadRequest) and any(slip in error.message.lower() for slip in _SLIPS)


async def on_error(update: object, context: BotContext) -> None:
    if is_user_slip(context.error):
        log.info("a user's slip, answered quietly: %s", context.error)
        if isinstance(update, Update):
            await _answer_press_quietly(update, context)
        return
    if isinstance(context.error, ChatMigrated) and isinstance(update, Update):
        await _follow_migrated_chat(update, context, context.error.new_chat_id)
        return
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update):
        await _apologise(update, context)
    await _notify_admins(update, context)


async def _answer_press_quietly(update: Update, context: BotContext) -> None:
    try:
        await acknowledge(update, context)
    except TelegramError:
        log.info("could not answer the press either", exc_info=True)


async def _follow_migrated_chat(update: Update, context: BotContext, new_chat_id: int) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    log.info("chat %d became %d while an update of it was handled", chat.id, new_chat_id)
    await context.services.users.follow_chat(chat.id, new_chat_id)
    try:
        await context.bot.send_message(new_chat_id, context.text("group_moved_send_again"))
    except TelegramError:
        log.warning("could not ask the moved group to send again", exc_info=True)


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
