"""Runs before every other handler: remembers the user and loads their preferences and
where they are in a conversation (bot/runtime/persistence.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.context import BotContext
from bot.db import users
from bot.render.i18n import resolve_language
from bot.runtime.persistence import resume_user_state


async def remember_user(update: Update, context: BotContext) -> None:
    telegram_user = update.effective_user
    if telegram_user is None or telegram_user.is_bot or context.user_data is None:
        return
    async with context.session() as session, session.begin():
        before = await users.get_user(session, telegram_user.id)
        row = await users.touch_user(
            session,
            telegram_user.id,
            language=resolve_language(telegram_user.language_code),
            now=context.clock.now(),
        )
        context.state.language = resolve_language(row.language)
        context.state.timezone = row.timezone
        context.state.keep_texts = row.keep_texts
        # Before any conversation looks at the update: another bot process, or this one
        # before a restart, may have taken the user's last step.
        await resume_user_state(session, context, update)
    # Writing to the bot undoes a block: reminders paused by it are delivered now, late ones
    # with wording for a passed deadline.
    engine = context.services.reminders
    if before is not None and before.blocked and engine is not None:
        await engine.resume_user(telegram_user.id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    # Group -1 runs before the flows in group 0 and never stops them.
    application.add_handler(TypeHandler(Update, remember_user), group=-1)
