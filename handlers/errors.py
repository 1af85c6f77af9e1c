"""The error handler: log with the traceback, tell the user the truth, tell the admins.

What the user hears depends on what became of their message: a handler that failed on the
database leaves the update to be retried (bot/runtime/delivery.py), which the runtime
reports as NotSavedError; a reply that Telegram did not confirm in time may well have arrived,
so it gets no apology (one would invite the message again, and the action twice); any
other failure is a bug, and the user is asked to try again.

Only the bot's own failures page admins. What Telegram refuses because of how a person used
it (a double tap that edits a message into what it already says, a press answered after
Telegram gave up on it) is no failure: the press is answered if it still can be, the slip
is logged at INFO, and nobody is apologised to or paged. Nor is a reply refused because its
group has just become a supergroup: the group's orders and reminders follow it
(handlers/groups.py), and the person is asked there to send their message again.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.context import BotContext
from bot.reminders.sending import SendOutcome, classify_send_error
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


class NotSavedError(Exception):
    """A handler failed on the database: what the user sent was not saved. `retrying`:
    the update will be handled again by itself; otherwise the user must send it again."""

    def __init__(self, *, retrying: bool) -> None:
        super().__init__("retrying" if retrying else "given up")
        self.retrying = retrying


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
    error = context.error
    if isinstance(error, NotSavedError):
        key = "error_not_saved_retrying" if error.retrying else "error_not_saved_send_again"
    elif isinstance(error, TelegramError) and classify_send_error(error) is SendOutcome.IN_DOUBT:
        # A request to Telegram timed out: the reply most likely arrived, late, and an
        # apology next to it would invite the message again.
        log.warning("no apology after a request to Telegram that timed out")
        return
    else:
        key = "error_apology"
    try:
        await chat.send_message(context.text(key))
    except TelegramError:
        log.warning("could not send the apology", exc_info=True)


async def _notify_admins(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else "-"
    error: BaseException | None = context.error
    if isinstance(error, NotSavedError) and error.__cause__ is not None:
        error = error.__cause__  # what the database said, not our wrapper
    note = translate(
        DEFAULT_LANGUAGE,
        "admin_error_note",
        error=type(error).__name__,
        update_id=update_id,
    )
    for admin_id in sorted(context.settings.admin_ids):
        try:
            await context.bot.send_message(admin_id, note)
        except Forbidden:
            log.warning("admin %s has not started the bot; cannot notify", admin_id)
        except TelegramError:
            log.warning("could not notify admin %s", admin_id, exc_info=True)
