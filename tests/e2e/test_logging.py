"""Logs never contain the bot token or other secrets, even at DEBUG."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.runtime.logs import configure_logging
from tests.conftest import BOT_TOKEN, ChatUser


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging sets up the whole process: the root logger's handler and level,
    and the levels of chatty libraries. The tests that run next in this process must find
    them as they were."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root_level = root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(root_level)
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))


@pytest.fixture
def process_logging(restored_logging: None) -> io.StringIO:
    stream = io.StringIO()
    configure_logging("DEBUG", secrets=[BOT_TOKEN, "sk-openai-secret-value"], stream=stream)
    return stream


async def test_a_whole_conversation_logs_no_token(
    process_logging: io.StringIO, ann: ChatUser
) -> None:
    await ann.says("/start")
    await ann.taps("Time zone")
    await ann.says("Berlin")
    logging.getLogger("httpx").warning("HTTP Request: POST https://x/bot%s/getMe", BOT_TOKEN)
    logging.getLogger("test").error("card 6222021234567890123, key sk-openai-secret-value")

    logged = process_logging.getvalue()

    assert "DEBUG" in logged, "the run should have produced debug logs"
    assert BOT_TOKEN not in logged
    assert BOT_TOKEN.split(":")[1] not in logged
    assert "6222021234567890123" not in logged
    assert "sk-openai-secret-value" not in logged
    assert "••••0123" in logged


@pytest.mark.usefixtures("restored_logging")
def test_httpx_request_lines_are_silenced_at_info() -> None:
    configure_logging("INFO")

    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
