"""Logs never contain the bot token or other secrets, even at DEBUG; nothing else the
process prints does either; an outage is logged when it starts and when it ends."""

from __future__ import annotations

import io
import itertools
import logging
import sys
import threading
import time
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError
from telegram.error import InvalidToken

from bot.app import build_application
from bot.config import Settings
from bot.db import processed_updates
from bot.runtime.logs import configure_logging, protect_process_output
from bot.runtime.polling import Backoff, polling
from bot.sandbox.server import Sandbox
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


# -- secrets of any length, wherever they show ---------------------------------------------


def logged_by_process(secrets: list[str], message: str) -> str:
    stream = io.StringIO()
    configure_logging("DEBUG", secrets=secrets, stream=stream)
    logging.getLogger("test").warning(message)
    return stream.getvalue()


@pytest.mark.usefixtures("restored_logging")
def test_a_short_webhook_secret_is_hidden_too() -> None:
    logged = logged_by_process(["Qx7"], "setWebhook secret_token=Qx7")

    assert "Qx7" not in logged
    assert "secret_token=<secret>" in logged


@pytest.mark.usefixtures("restored_logging")
def test_a_token_quoted_url_encoded_by_a_proxy_is_hidden() -> None:
    quoted = BOT_TOKEN.replace(":", "%3A")

    logged = logged_by_process([BOT_TOKEN], f"502 Bad Gateway for /bot{quoted}/getMe")

    assert BOT_TOKEN.split(":")[1] not in logged


@pytest.mark.usefixtures("restored_logging")
def test_the_database_password_in_a_url_is_hidden() -> None:
    logged = logged_by_process([], "cannot connect to postgresql://guard:pw@db:5432/guard")

    assert "pw@" not in logged
    assert "postgresql://guard:<secret>@db:5432/guard" in logged


@pytest.fixture
def process_output_restored() -> Iterator[None]:
    """protect_process_output replaces the process's streams and exception hooks."""
    saved = sys.stdout, sys.stderr, sys.excepthook, threading.excepthook
    yield
    sys.stdout, sys.stderr, sys.excepthook, threading.excepthook = saved
    logging.captureWarnings(False)


@pytest.mark.usefixtures("process_output_restored")
def test_an_uncaught_exception_and_a_print_show_no_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    protect_process_output([BOT_TOKEN, "Qx7"])
    try:
        raise InvalidToken(f"The token `{BOT_TOKEN}` was rejected by the server.")
    except InvalidToken as error:
        sys.excepthook(type(error), error, error.__traceback__)
    print(f"POST /bot{BOT_TOKEN}/getMe with secret Qx7")
    thread = threading.Thread(target=lambda: fail_with(f"secret Qx7 in {BOT_TOKEN}"))
    thread.start()
    thread.join()

    printed = capsys.readouterr()
    output = printed.out + printed.err

    assert "InvalidToken" in output
    assert "Exception in thread" in output
    assert BOT_TOKEN.split(":")[1] not in output
    assert "Qx7" not in output


def fail_with(message: str) -> None:
    raise RuntimeError(message)


# -- the poller during an outage ----------------------------------------------------------


def test_backoff_doubles_with_jitter_up_to_the_cap_and_starts_over_after_a_success() -> None:
    lowest, highest = Backoff(random=lambda: 0.0), Backoff(random=lambda: 0.999999)

    low = [lowest.delay() for _ in range(9)]
    high = [highest.delay() for _ in range(9)]
    highest.reset()

    assert low == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0]
    assert high == pytest.approx([0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0], rel=1e-5)
    assert highest.delay() == pytest.approx(0.5, rel=1e-5)


async def test_a_database_outage_backs_off_and_is_logged_once_down_and_once_back(
    settings: Settings,
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ann = ChatUser(sandbox, 1001)
    attempts: list[float] = []
    claim = processed_updates.claim_update

    async def database_down(*args: object, **kwargs: object) -> object:
        attempts.append(time.monotonic())
        raise OperationalError("claim", {}, ConnectionRefusedError("database is down"))

    async with polling(build_application(settings), timeout=1):
        await sandbox.wait_for(lambda: sandbox.queue.polling)
        monkeypatch.setattr(processed_updates, "claim_update", database_down)
        for user_id in (1001, 1002, 1003):  # three pending updates, each retried each round
            await sandbox.send_text(user_id, "/help")
        await sandbox.wait_for(lambda: len(attempts) >= 4 * 3, timeout=60)
        monkeypatch.setattr(processed_updates, "claim_update", claim)
        replies = await ann.says("/help")

    rounds = attempts[::3]
    gaps = [later - earlier for earlier, later in itertools.pairwise(rounds[:4])]
    assert gaps[2] > 2 * gaps[0], f"the waits between attempts grow: {gaps}"
    assert caplog.text.count("claiming updates in the database failed") == 1
    assert caplog.text.count("claiming updates in the database works again") == 1
    # Not a traceback per update and round: one when claims start failing.
    assert caplog.text.count("could not claim update") == 1
    assert sum(1 for record in caplog.records if record.exc_info) == 1
    assert caplog.text.count("claiming updates works again") == 1
    assert "How I can help" in replies[-1].text


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize(
    ("level", "log_user_text", "telegram_debug", "telegram_info"),
    [
        ("DEBUG", False, False, True),
        ("DEBUG", True, True, True),
        ("WARNING", False, False, False),
    ],
)
def test_telegrams_request_lines_with_user_text_need_log_user_text(
    level: str, log_user_text: bool, telegram_debug: bool, telegram_info: bool
) -> None:
    configure_logging(level, log_user_text=log_user_text)

    assert logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG) is telegram_debug
    assert logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.INFO) is telegram_info


@pytest.mark.usefixtures("restored_logging")
def test_a_short_secret_is_hidden_where_it_stands_alone_not_inside_other_words() -> None:
    logged = logged_by_process(["abc"], "parameters {'secret_token': 'abc', 'url': '/abcdef'}")

    assert "'secret_token': '<secret>'" in logged
    assert "/abcdef" in logged


@pytest.mark.usefixtures("process_output_restored", "restored_logging")
def test_a_warning_quoting_the_token_goes_through_the_redacting_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stream = io.StringIO()
    protect_process_output([BOT_TOKEN])
    configure_logging("INFO", secrets=[BOT_TOKEN], stream=stream)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"deprecated call to /bot{BOT_TOKEN}/getMe", UserWarning, stacklevel=1)

    printed = capsys.readouterr()
    output = stream.getvalue() + printed.out + printed.err

    assert "deprecated call to /bot<secret>/getMe" in output
    assert BOT_TOKEN.split(":")[1] not in output
