"""Telling the admins when a reminder failed for good."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection

from telegram import Bot
from telegram.error import TelegramError

from bot.reminders.sending import describe_error
from bot.render.phone_screen import ONE_SCREEN, text_lines

log = logging.getLogger(__name__)

ALERT_COALESCE_SECONDS = 1.0
# An alert fits one phone screen (issue 17): as many whole failures as fit under the title,
# then the count of the rest, which the log has. A failure longer than this is cut.
ALERT_MAX_LINES = 20
ALERT_LINE_CHARS = 300
TELEGRAM_TEXT_LIMIT = 4096
MORE = "… and {count} more (see the log)"


class AdminAlerts:
    """Tells the admins when a reminder failed for good. Never raises.

    Lines are gathered for a moment and sent as one message, so a storm of failures
    (a broken template fails every reminder) is a few messages, not thousands.
    """

    def __init__(self, bot: Bot, admin_ids: Collection[int]) -> None:
        self._bot = bot
        self._admin_ids = tuple(sorted(admin_ids))
        self._lines: list[str] = []
        self._task: asyncio.Task[None] | None = None

    def notify(self, line: str) -> None:
        log.error("reminder alert: %s", line)
        if not self._admin_ids:
            return
        self._lines.append(line)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush_later(), name="reminder-alerts")

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, ALERT_COALESCE_SECONDS + 10)

    async def _flush_later(self) -> None:
        await asyncio.sleep(ALERT_COALESCE_SECONDS)
        while self._lines:
            lines, self._lines = self._lines, []
            await self._send(self._compose(lines))

    @staticmethod
    def _compose(lines: list[str]) -> str:
        title = "⚠️ Reminder engine"
        shown: list[str] = []
        for line in lines[:ALERT_MAX_LINES]:
            bullet = f"• {_shortened(line)}"
            if shown and text_lines("\n".join([title, *shown, bullet, MORE])) > ONE_SCREEN:
                break
            shown.append(bullet)
        text = "\n".join([title, *shown])
        if len(lines) > len(shown):
            text += "\n" + MORE.format(count=len(lines) - len(shown))
        return text[:TELEGRAM_TEXT_LIMIT]

    async def _send(self, text: str) -> None:
        for admin_id in self._admin_ids:
            try:
                # Plain text: error descriptions may contain '<' and must not be parsed.
                await self._bot.send_message(admin_id, text, parse_mode=None)
            except TelegramError as error:
                log.warning("could not alert admin %s: %s", admin_id, describe_error(error))


def _shortened(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= ALERT_LINE_CHARS else line[: ALERT_LINE_CHARS - 1] + "…"
