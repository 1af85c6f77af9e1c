"""Logging that never writes secrets: bot tokens, API keys, card and phone numbers."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

from bot.domain.masking import mask_numbers, redact_bot_tokens

# These libraries log full request URLs at INFO, and Telegram URLs contain the bot token;
# the openai client logs whole requests (the user's pasted text) at DEBUG.
_CHATTY_LOGGERS = ("httpx", "httpx2", "httpcore", "apscheduler", "aiohttp.access", "openai")


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with secrets removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<secret>")
        return mask_numbers(redact_bot_tokens(text))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = self.redact(message)
        record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def configure_logging(
    level: str = "INFO", secrets: Iterable[str] = (), stream: TextIO | None = None
) -> None:
    """Root logging for the process (to stderr unless `stream` is given); safe to call more
    than once: the previous redacting handler is replaced."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        if any(isinstance(f, RedactingFilter) for f in old.filters):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
