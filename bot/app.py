"""build_application(settings): the one place the bot is wired together."""

from __future__ import annotations

import logging
import os
import warnings

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults
from telegram.warnings import PTBUserWarning

import handlers
from bot.adapters.llm import LanguageModel
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import CONTEXT_TYPES, BotApplication
from bot.db.engine import create_engine
from bot.reminders.engine import EngineConfig, ReminderEngine
from bot.render.i18n import DEFAULT_LANGUAGE, available_languages
from bot.runtime.delivery import ReplyRetries
from bot.runtime.following import attach_following, schedule_following
from bot.runtime.instance_lock import acquire_instance_lock
from bot.runtime.persistence import (
    DatabasePersistence,
    DurableApplication,
    durable,
    schedule_sweep,
)
from bot.runtime.users import remember_user

log = logging.getLogger(__name__)

# Opt in to python-telegram-bot's timedelta durations (RetryAfter.retry_after and friends);
# the int form is deprecated since 22.2 and warns on every flood-control answer.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Our conversations are per user, not per message: buttons inside them are meant to be
# tracked per user, which is what this warning asks about.
warnings.filterwarnings("ignore", message=r"If 'per_message=False'", category=PTBUserWarning)


def build_application(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None
) -> BotApplication:
    """The python-telegram-bot Application with every handler, service and hook attached.

    `clock` is what the bot believes the time is (the machine's by default); tests pass
    another to run the whole bot at a chosen hour."""
    clock = clock or SystemClock()
    token = settings.token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base = settings.telegram_api_base_url.rstrip("/")
    engine = create_engine(settings.database_url)
    builder = (
        ApplicationBuilder()
        # Conversation state in the database, written when each update is done, so a restart
        # or another bot process carries on where the user was (bot/runtime/persistence.py).
        .application_class(DurableApplication)
        .persistence(DatabasePersistence(engine, clock=clock))
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        # AIORateLimiter's rates, but a 429 holds back only its own chat (one user over
        # Telegram's per-chat limit must not slow everyone's answers: bot/runtime/rate_limit.py),
        # plus replies Telegram refused sent again (bot/runtime/delivery.py).
        .rate_limiter(ReplyRetries(max_retries=2))
        # No PTB Updater: it confirms updates to Telegram before they are handled. Our poller
        # (bot/runtime/polling.py) and webhook (bot/runtime/webhook.py) confirm only handled
        # ones, and without an Updater `run_polling` cannot be called by mistake.
        .updater(None)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    application: BotApplication = builder.build()  # type: ignore[assignment]
    services = application.bot_data
    services.attach(settings, engine, clock, migrate_on_start=migrate)
    services.reminders = ReminderEngine(
        services.sessions,
        application.bot,
        handlers.reminder_renderer(services.tracking, clock),
        EngineConfig.from_settings(settings),
        clock=clock.now,
        admin_ids=settings.admin_ids,
    )
    if settings.llm_enabled:
        services.llm = LanguageModel(settings, services.sessions, clock)
    attach_following(application, settings)
    durable(application).before_handlers = remember_user
    handlers.register(application)
    return application


async def _post_init(application: BotApplication) -> None:
    services = application.bot_data
    sqlite_file = services.settings.sqlite_path()
    if sqlite_file is not None:
        # SQLite cannot share due reminders between processes: one bot per database file.
        durable(application).instance_lock = acquire_instance_lock(sqlite_file)
    if services.migrate_on_start:
        # Imported here: Alembic costs ~12 MB that a bot started with migrate=False never needs.
        from bot.db.migrations import upgrade_to_head

        await upgrade_to_head(services.settings.database_url)
    await _set_commands(application)
    if services.reminders is not None:
        await services.reminders.start(application.job_queue)
    if application.job_queue is not None:
        schedule_sweep(application.job_queue)
    schedule_following(application)
    log.info("bot @%s is ready", application.bot.username)


async def _set_commands(application: BotApplication) -> None:
    await application.bot.set_my_commands(handlers.bot_commands(DEFAULT_LANGUAGE))
    for language in available_languages():
        if language != DEFAULT_LANGUAGE:
            await application.bot.set_my_commands(
                handlers.bot_commands(language), language_code=language
            )


async def _post_stop(application: BotApplication) -> None:
    # Before the bot's HTTP client closes: sends in flight finish and are marked.
    if application.bot_data.reminders is not None:
        await application.bot_data.reminders.stop()


async def _post_shutdown(application: BotApplication) -> None:
    if application.bot_data.llm is not None:
        await application.bot_data.llm.close()
    await application.bot_data.engine.dispose()
    running = durable(application)
    if running.instance_lock is not None:
        running.instance_lock.release()
        running.instance_lock = None
