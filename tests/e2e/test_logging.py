"""Logs never contain the bot token or other secrets, even at DEBUG."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.runtime.logs import configure_logging
from tests.conftest import BOT_TOKEN, ChatUser


@pytest.fixture
def process_logging() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("DEBUG", secrets=[BOT_TOKEN, "sk-openai-secret-value"], stream=stream)
    yield stream
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


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


def test_httpx_request_lines_are_silenced_at_info() -> None:
    configure_logging("INFO")

    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
