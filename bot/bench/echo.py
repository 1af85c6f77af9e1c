"""The baseline for the end-to-end benchmarks: the smallest python-telegram-bot bot there is.

`python -m bot.bench.echo` polls the Bot API at ECHO_API_BASE_URL with ECHO_BOT_TOKEN and
answers every text message with the same text, like python-telegram-bot's echobot example:
no database, no rate limiter, no parse mode. It imports nothing else from this project
(`bot/__init__.py` is empty), so its memory is PTB's own.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    base = os.environ["ECHO_API_BASE_URL"].rstrip("/")
    application = (
        ApplicationBuilder()
        .token(os.environ["ECHO_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
