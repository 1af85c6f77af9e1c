"""Small helpers every handler uses to answer: send, edit, answer a button press."""

from __future__ import annotations

from collections.abc import Collection

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.adapters.llm import Miss
from bot.context import BotContext
from handlers.callback_data import CallbackRoute


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Send a new message into the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(text, reply_markup=keyboard)


async def replace_or_reply(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the message whose button was pressed; send a new one when that is impossible."""
    query = update.callback_query
    # A button on a deleted or very old message comes with an InaccessibleMessage: editing
    # it can only fail, so answer with a new message straight away.
    if query is not None and query.message is not None and query.message.is_accessible:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        except BadRequest as error:
            # Pressing the same button twice gives identical content: nothing to change.
            if "not modified" in str(error).lower():
                return
            if (
                "not found" not in str(error).lower()
                and "can't be edited" not in str(error).lower()
            ):
                raise
    await reply(update, text, keyboard)


async def acknowledge(
    update: Update, context: BotContext, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer a button press so the client stops its spinner; once per press, the first
    answer wins (later calls do nothing). Telegram refuses a second answer to one press,
    and a press can pass through two handlers that each answer: the main menu tapped
    inside another conversation runs the menu, then the screen it opens."""
    query = update.callback_query
    if query is None or not context.services.answered_presses.first(query.id):
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        # A press handled late (after a restart, or behind a backlog) can no longer be
        # answered; what it asked for is still done, and the reply shows it. An apology
        # here would invite a second press, and the action twice.
        if "query is too old" not in str(error).lower():
            raise


async def pressed_choice(
    update: Update, context: BotContext, route: CallbackRoute, allowed: Collection[str]
) -> str | None:
    """The choice on the pressed button of `route`, when it is one of `allowed` and a user
    pressed it; otherwise the press is answered with "no longer valid" and None returned."""
    query = update.callback_query
    parts = route.unpack(query.data if query else None)
    if update.effective_user is None or parts is None or parts[0] not in allowed:
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return None
    return parts[0]


async def reply_in_pieces(
    update: Update, pieces: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Send a long answer as several messages (each under Telegram's 4,096 characters),
    with the keyboard under the last one, where the reader's eyes end up."""
    for index, piece in enumerate(pieces):
        await reply(update, piece, keyboard if index == len(pieces) - 1 else None)


def assistant_note(context: BotContext, miss: Miss | None) -> str | None:
    """The short line added when the AI helper was asked and gave nothing; nothing when it
    is switched off, since a bot without it is complete and should not look broken."""
    if miss is Miss.FAILED:
        return context.text("llm_note_failed")
    if miss is Miss.BUDGET:
        return context.text("llm_note_budget")
    return None
