"""No secret is ever printed: `python -m bot run` (polling) against Telegram failing in the
ways operators meet, the bot token and a short webhook secret absent from all it writes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.servers import free_port

pytestmark = pytest.mark.process

# Not shaped like a BotFather token, so only the configured value can hide it.
TOKEN = "4242:Zq8-sandbox-only-token"
TOKEN_SECRET_PART = TOKEN.split(":")[1]
SHORT_WEBHOOK_SECRET = "Qx7"
USER = 5150
# Stored as the order's name: it reaches the database as well as Telegram.
ORDER_NAME = "Wenzhou Lightworks desk lamps"


class Bot:
    """`python -m bot run` in its own process; what it writes to stdout and stderr (files,
    not pipes: a pipe nobody reads would stall a bot logging at DEBUG)."""

    def __init__(self, process: asyncio.subprocess.Process, outputs: list[Path]) -> None:
        self.process = process
        self._outputs = outputs
        self.output = ""

    async def finished(self, timeout: float = 60) -> int:
        status = await asyncio.wait_for(self.process.wait(), timeout)
        self.output = "".join(path.read_text(errors="replace") for path in self._outputs)
        return status

    async def stopped(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.finished(timeout=30)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


async def start_bot(tmp_path: Path, api_base_url: str, *args: str, **env: str) -> Bot:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "WEBHOOK_", "LOG_", "OPENAI_", "DATABASE_"))
    }
    outputs = [tmp_path / "stdout.txt", tmp_path / "stderr.txt"]
    with outputs[0].open("wb") as stdout, outputs[1].open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            *args,
            cwd=tmp_path,
            env={
                **clean,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api_base_url,
                "WEBHOOK_SECRET": SHORT_WEBHOOK_SECRET,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                "LOG_LEVEL": "INFO",
                **env,
            },
            stdout=stdout,
            stderr=stderr,
        )
    return Bot(process, outputs)


def assert_no_secret_in(output: str) -> None:
    assert TOKEN_SECRET_PART not in output, output
    assert SHORT_WEBHOOK_SECRET not in output, output


def failed_calls(sandbox: Sandbox, method: str) -> int:
    return sum(1 for call in sandbox.calls if call.method == method and not call.ok)


def ok_calls(sandbox: Sandbox, method: str) -> int:
    return sum(1 for call in sandbox.calls if call.method == method and call.ok)


WEBHOOK_MODE = (
    "--webhook",
    "--port",
    "1",  # never reached: start-up ends at getMe
)


@pytest.mark.parametrize("mode", [(), WEBHOOK_MODE], ids=["polling", "webhook"])
async def test_a_refused_token_is_one_clear_line_without_the_token(
    tmp_path: Path, sandbox: Sandbox, mode: tuple[str, ...]
) -> None:
    sandbox.inject_fault("getMe", 401, count=100)

    bot = await start_bot(
        tmp_path, sandbox.base_url, *mode, WEBHOOK_URL="https://example.invalid/hook"
    )
    status = await bot.finished()

    assert status != 0
    assert "Telegram refused the bot token (401). Check TELEGRAM_BOT_TOKEN." in bot.output
    assert len(bot.output.splitlines()) == 1, bot.output
    assert_no_secret_in(bot.output)


class EchoingProxy(BaseHTTPRequestHandler):
    """A reverse proxy whose upstream is down: 502 with an HTML page quoting the request,
    as nginx and many corporate proxies do."""

    def do_POST(self) -> None:
        page = (
            "<html><head><title>502 Bad Gateway</title></head><body>"
            f"<h1>502 Bad Gateway</h1><p>upstream failed for POST {self.path}</p>"
            f"<p>url: https://api.telegram.org{self.path.replace(':', '%3A')}</p>"
            "</body></html>"
        ).encode()
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the bot's output, not the proxy's."""


@pytest.fixture
def echoing_proxy() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_proxy_page_quoting_the_url_does_not_print_the_token(
    tmp_path: Path, echoing_proxy: str
) -> None:
    bot = await start_bot(tmp_path, echoing_proxy)
    status = await bot.finished()

    assert status != 0
    assert "Telegram could not be reached at" in bot.output, bot.output
    assert len(bot.output.splitlines()) == 1, bot.output
    assert_no_secret_in(bot.output)


async def test_a_refused_connection_is_one_clear_line(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"

    bot = await start_bot(tmp_path, closed)
    status = await bot.finished()

    assert status != 0
    assert "Telegram could not be reached at" in bot.output, bot.output
    assert len(bot.output.splitlines()) == 1, bot.output
    assert_no_secret_in(bot.output)


async def test_telegram_failing_getupdates_is_logged_once_down_and_once_back(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getUpdates", 500, count=1000)
    bot = await start_bot(tmp_path, sandbox.base_url)
    try:
        await sandbox.wait_for(lambda: failed_calls(sandbox, "getUpdates") >= 3, timeout=60)
        sandbox.clear_faults()
        await sandbox.wait_for(lambda: ok_calls(sandbox, "getUpdates") >= 1, timeout=60)
        await sandbox.send_text(USER, "/help")
        await sandbox.wait_for_bot_message(USER, timeout=30)
        status = await bot.stopped()
    finally:
        bot.kill()

    assert status == 0, bot.output
    assert bot.output.count("getUpdates failed") == 1, bot.output
    assert bot.output.count("getUpdates works again") == 1, bot.output
    assert "Traceback" not in bot.output, bot.output
    assert_no_secret_in(bot.output)


@pytest.mark.parametrize("log_user_text", [False, True])
async def test_debug_logging_shows_update_ids_and_kinds_not_what_users_wrote(
    tmp_path: Path, sandbox: Sandbox, log_user_text: bool
) -> None:
    extra = {"LOG_USER_TEXT": "1"} if log_user_text else {}
    bot = await start_bot(tmp_path, sandbox.base_url, LOG_LEVEL="DEBUG", **extra)
    try:
        await sandbox.wait_for(lambda: ok_calls(sandbox, "getUpdates") >= 1, timeout=60)
        update = await sandbox.send_text(USER, f"/track 12s {ORDER_NAME}")
        await sandbox.wait_for_bot_message(USER, timeout=30)
        status = await bot.stopped()
    finally:
        bot.kill()

    assert status == 0, bot.output
    assert "DEBUG" in bot.output
    assert f"update {update['update_id']}: message" in bot.output, bot.output
    assert (ORDER_NAME in bot.output) is log_user_text
    assert_no_secret_in(bot.output)
