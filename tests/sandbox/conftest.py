"""Fixtures for the sandbox server tests: a sandbox, a plain PTB bot and a tiny PTB app.

The app here is deliberately not Sourcing Guard: it echoes text, shows two buttons on
/buttons and answers button presses, which is all the server tests need.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from bot.sandbox.updates import RetryPolicy

TOKEN = "4242:sandbox-server-test-token"
BOT_ID = 4242
USER_ID = 7001


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    server = Sandbox(flood=FloodLimits(), webhook_retry=RetryPolicy(first_delay=0.05))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def ptb_bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    """A PTB Bot for direct API calls (no updater)."""
    bot = Bot(TOKEN, base_url=sandbox.api_base_url, base_file_url=sandbox.file_base_url)
    async with bot:
        yield bot


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[aiohttp.ClientSession]:
    """A raw HTTP client whose relative URLs point at the sandbox."""
    async with aiohttp.ClientSession(base_url=sandbox.base_url) as session:
        yield session


@pytest.fixture
async def known_user(sandbox: Sandbox) -> int:
    """A user who has written to the bot, so the bot may write back; the update is
    consumed so it does not stay pending."""
    await sandbox.send_text(USER_ID, "hi")
    sandbox.queue.drop_all()
    return USER_ID


@dataclass
class EchoBot:
    """The tiny PTB app and what it saw."""

    app: Application  # type: ignore[type-arg]
    seen_texts: list[str] = field(default_factory=list)
    pressed: list[str] = field(default_factory=list)


def build_echo_app(sandbox: Sandbox) -> EchoBot:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sandbox.api_base_url)
        .base_file_url(sandbox.file_base_url)
        .job_queue(None)
        .build()
    )
    echo = EchoBot(app)

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        assert message.text is not None
        echo.seen_texts.append(message.text)
        await message.reply_text(message.text)

    async def on_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        keyboard = [
            [InlineKeyboardButton("A", callback_data="a")],
            [InlineKeyboardButton("B", callback_data="b")],
        ]
        await message.reply_text("choose", reply_markup=InlineKeyboardMarkup(keyboard))

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        assert isinstance(query.data, str)
        echo.pressed.append(query.data)
        await query.answer(f"got {query.data}")
        await query.edit_message_text(f"pressed {query.data}")

    app.add_handler(CommandHandler("buttons", on_buttons))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_press))
    return echo


@pytest.fixture
async def echo_bot(sandbox: Sandbox) -> AsyncIterator[EchoBot]:
    """The echo app, long polling the sandbox with a short timeout."""
    echo = build_echo_app(sandbox)
    async with echo.app:
        await echo.app.start()
        assert echo.app.updater is not None
        await echo.app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            yield echo
        finally:
            await echo.app.updater.stop()
            await echo.app.stop()
