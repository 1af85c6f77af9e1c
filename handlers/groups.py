"""A group that becomes a supergroup gets a new chat id; its orders and reminders follow.

Telegram says so twice: a service message in the old chat (`migrate_to_chat_id`) and one
in the new chat (`migrate_from_chat_id`). Either moves everything (moving twice moves
nothing). A bot that missed both learns it from the first send the old id refuses
(bot/reminders/engine.py, handlers/errors.py).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.context import BotContext

log = logging.getLogger(__name__)

# Its own handler group, ahead of the flows: a service message is no answer to anything.
GROUP = -1


async def on_migrate(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await context.services.users.follow_chat(old, new)


MIGRATE = MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(MIGRATE, group=GROUP)
