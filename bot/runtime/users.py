"""Before the handlers see an update: the user is remembered, their preferences and their
place in a conversation loaded, and a user who had blocked the bot and writes again gets
their paused reminders back, and is told what comes next. Every update needs this,
whichever flow it then goes to, so the application does it
(`DurableApplication.before_handlers`, wired in bot/app.py) rather than a handler.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.context import BotApplication
from bot.db import users
from bot.domain.timezones import format_local, zone_for
from bot.reminders.engine import Resumed
from bot.render.i18n import resolve_language, translate
from bot.runtime.persistence import DatabasePersistence

log = logging.getLogger(__name__)


async def remember_user(application: BotApplication, update: Update) -> None:
    telegram_user = update.effective_user
    if telegram_user is None or telegram_user.is_bot:
        return
    services = application.bot_data
    state = application.user_data[telegram_user.id]
    async with services.sessions.begin() as session:
        arrival = await users.arrive(
            session,
            telegram_user.id,
            language=resolve_language(telegram_user.language_code),
            now=services.clock.now(),
        )
        was_blocked = arrival.was_blocked
        state.language = resolve_language(arrival.language)
        state.timezone = arrival.timezone
        state.keep_texts = arrival.keep_texts
        # Before any conversation looks at the update: another bot process, or this one
        # before a restart, may have taken the user's last step.
        if isinstance(application.persistence, DatabasePersistence):
            await application.persistence.resume(session, application, update, state)
    # Writing to the bot undoes a block: reminders paused by it are delivered now, late ones
    # with wording for a passed deadline, and the user is shown what comes next.
    if was_blocked and services.reminders is not None:
        resumed = await services.reminders.resume_user(telegram_user.id)
        if resumed.count:
            chat = update.effective_chat
            chat_id = chat.id if chat else telegram_user.id
            await _tell_resumed(application, telegram_user.id, chat_id, resumed)


def resumed_text(resumed: Resumed, language: str, zone_name: str | None, default: str) -> str:
    """ "Reminders are on again", and the next ones (when, in the user's own time)."""
    zone = zone_for(zone_name, default)
    lines = [translate(language, "rem_resumed")]
    if resumed.upcoming:
        lines += ["", translate(language, "rem_resumed_next")]
        lines += [
            translate(
                language, "rem_resumed_item", label=label, due=format_local(due, zone, language)
            )
            for label, due, _deadline in resumed.upcoming
        ]
    return "\n".join(lines)


async def _tell_resumed(
    application: BotApplication, user_id: int, chat_id: int, resumed: Resumed
) -> None:
    services = application.bot_data
    state = application.user_data[user_id]
    text = resumed_text(
        resumed, state.language, state.timezone, services.settings.default_timezone
    )
    try:
        await application.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
    except TelegramError:
        # The reminders themselves are resumed either way; the note is a courtesy.
        log.warning("could not tell user %d their reminders resumed", chat_id, exc_info=True)
