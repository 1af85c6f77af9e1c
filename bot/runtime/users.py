"""Before the handlers see an update: the user is remembered, their preferences and their
place in a conversation loaded, and a user who had blocked the bot and writes again gets
their paused reminders back. Every update needs this, whichever flow it then goes to, so
the application does it (`DurableApplication.before_handlers`, wired in bot/app.py) rather
than a handler.
"""

from __future__ import annotations

from telegram import Update

from bot.context import BotApplication
from bot.db import users
from bot.render.i18n import resolve_language
from bot.runtime.persistence import DatabasePersistence


async def remember_user(application: BotApplication, update: Update) -> None:
    telegram_user = update.effective_user
    if telegram_user is None or telegram_user.is_bot:
        return
    services = application.bot_data
    state = application.user_data[telegram_user.id]
    async with services.sessions.begin() as session:
        before = await users.get_user(session, telegram_user.id)
        row = await users.touch_user(
            session,
            telegram_user.id,
            language=resolve_language(telegram_user.language_code),
            now=services.clock.now(),
        )
        state.language = resolve_language(row.language)
        state.timezone = row.timezone
        state.keep_texts = row.keep_texts
        # Before any conversation looks at the update: another bot process, or this one
        # before a restart, may have taken the user's last step.
        if isinstance(application.persistence, DatabasePersistence):
            await application.persistence.resume(session, application, update, state)
    # Writing to the bot undoes a block: reminders paused by it are delivered now, late ones
    # with wording for a passed deadline.
    if before is not None and before.blocked and services.reminders is not None:
        await services.reminders.resume_user(telegram_user.id)
