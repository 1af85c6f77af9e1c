"""The one-screen rule as tests see it: how many phone lines a message the bot sent takes.

The measure itself is bot/render/phone_screen.py; this reads a sandbox message into it and
says, when a message is too long, what it looked like.
"""

from __future__ import annotations

from bot.render.phone_screen import ONE_SCREEN, collapsed_spans, message_lines
from bot.sandbox.state import StoredMessage


def phone_lines(message: StoredMessage) -> int:
    text = message.text if message.text is not None else (message.caption or "")
    entities = message.entities if message.text is not None else message.caption_entities
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return message_lines(text, len(rows), collapsed_spans(text, entities))


def assert_fits_one_screen(message: StoredMessage) -> None:
    lines = phone_lines(message)
    buttons = [
        [b["text"] for b in row]
        for row in (message.reply_markup or {}).get("inline_keyboard") or []
    ]
    assert lines <= ONE_SCREEN, (
        f"{lines} phone lines (limit {ONE_SCREEN}):\n{message.text or message.caption}\n"
        f"buttons: {buttons}"
    )
