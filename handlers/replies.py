"""Small helpers every handler uses to answer: send, edit, answer a button press."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest


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
    if query is not None and query.message is not None:
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


async def acknowledge(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press so the client stops its spinner."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=alert)
