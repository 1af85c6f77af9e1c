"""Output that never contains secrets: bot tokens, API keys, passwords, card and phone numbers.

Redaction is installed for the whole process, not only for log records: an exception that
nobody catches, a warning, an error inside an asyncio callback or a thread, and anything a
library writes to stdout or stderr all pass through the same `SecretRedactor`. Telegram's
own messages quote the token (`InvalidToken: The token '…' was rejected`), and proxies'
error pages quote the request URL, which holds it.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any, TextIO

from bot.domain.masking import SecretRedactor, mask_numbers

# These libraries log full request URLs at INFO, and Telegram URLs contain the bot token;
# the openai client logs whole requests (the user's pasted text) at DEBUG.
_CHATTY_LOGGERS = ("httpx", "httpx2", "httpcore", "apscheduler", "aiohttp.access", "openai")
# At DEBUG python-telegram-bot logs every request's parameters and every answer (the users'
# messages and the bot's replies), aiosqlite every statement with its values (what users
# wrote, stored). Kept at INFO unless LOG_USER_TEXT is set; the poller logs each update's
# id and kind instead.
_PAYLOAD_LOGGERS = ("telegram", "aiosqlite")
# Logs a whole unreadable answer (a proxy's HTML error page) with a traceback, then raises
# an error that says the same and that the caller reports: one report is enough.
_REDUNDANT_LOGGERS = ("telegram.request",)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with secrets and card/phone numbers removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._redact_secrets = SecretRedactor(secrets)

    def redact(self, text: str) -> str:
        return mask_numbers(self._redact_secrets(text))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = self.redact(message)
        record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class RedactingStream:
    """A text stream (stdout, stderr) that removes secrets from everything written to it;
    the rest (fileno, isatty, encoding, buffer…) is the wrapped stream's."""

    def __init__(self, stream: TextIO, redact: SecretRedactor) -> None:
        self.wrapped = stream
        self.redact = redact

    def write(self, text: str) -> int:
        self.wrapped.write(self.redact(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def protect_process_output(secrets: Iterable[str] = (), *, stdout: bool = True) -> None:
    """Redact `secrets` (and token-shaped text, URL passwords) from everything the process
    prints: stderr always, stdout unless `stdout=False` (the terminal chat, whose screen is
    the user's own), uncaught exceptions in the main thread and in threads, warnings
    (routed to logging). asyncio's exception handler logs through logging, which
    `configure_logging` redacts. Safe to call again, e.g. once the settings are read."""
    redact = SecretRedactor(secrets)
    sys.stderr = _redacting(sys.stderr, redact)
    if stdout:
        sys.stdout = _redacting(sys.stdout, redact)

    def excepthook(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, error, trace))))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        trace = traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        sys.stderr.write(redact(f"Exception in thread {name}:\n{''.join(trace)}"))

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    logging.captureWarnings(True)


def _redacting(stream: TextIO | RedactingStream, redact: SecretRedactor) -> RedactingStream:
    if isinstance(stream, RedactingStream):
        stream.redact = redact
        return stream
    return RedactingStream(stream, redact)


def configure_logging(
    level: str = "INFO",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    *,
    log_user_text: bool = False,
) -> None:
    """Root logging for the process (to stderr unless `stream` is given); safe to call more
    than once: the previous redacting handler is replaced. `log_user_text` lets
    python-telegram-bot's DEBUG lines (requests and answers, with users' texts) through,
    for debugging on one's own machine."""
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
    for name in _REDUNDANT_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # Above DEBUG they follow the root level (a level set here would let their INFO lines
    # through to a WARNING log).
    payload_level = (
        logging.INFO if root.level < logging.INFO and not log_user_text else logging.NOTSET
    )
    for name in _PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(payload_level)
