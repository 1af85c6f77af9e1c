"""Starting and stopping a built application, the same way in every mode.

`python -m bot run` (polling or webhook), the terminal chat and the tests all go through
these steps, so PTB's hooks (post_init, post_stop, post_shutdown) run in the same order
everywhere.
"""

from __future__ import annotations

from bot.context import BotApplication

# The update kinds the handlers use; Telegram sends no others (polling and webhook alike).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def stop_application(application: BotApplication) -> None:
    """PTB's stop (the job queue, the persistence's last write), then post_stop."""
    if application.running:
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)


async def shut_down_application(application: BotApplication) -> None:
    """PTB's shutdown (the bot's HTTP clients), then post_shutdown."""
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)
