"""The webhook server with nobody in front of it: slow clients, floods and hostile JSON.

The probe ran the bot in webhook mode without a proxy: clients sending half a request held
their sockets indefinitely until the descriptors ran out, each refused request wrote a log
line, and odd JSON got a 500 with a traceback or a 503 Telegram would retry forever.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings
from bot.context import BotApplication
from bot.runtime.webhook import SECRET_HEADER, WebhookServer, serving_webhook
from bot.runtime.webhook_guard import BAD_SECRET, MALFORMED, MAX_JSON_DEPTH, RefusalLog
from bot.sandbox.server import Sandbox
from bot.sandbox.updates import RetryPolicy
from tests.conftest import ChatUser, texts
from tests.e2e import test_webhook
from tests.e2e.test_frame import stored_user
from tests.e2e.test_webhook import HOOK_PATH, SECRET, STRANGER, stranger_says_start, with_webhook
from tests.servers import free_port

HALF_A_REQUEST = b"POST /telegram/update HTTP/1.1\r\nHost: bot.example.com\r\n"
# How long a test waits at most for the server to act; failing it means "never".
PATIENCE = 15.0


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[Sandbox]:
    # Telegram re-sends a refused post soon, as the connection-cap story needs.
    retry = RetryPolicy(first_delay=0.05, max_delay=0.5)
    async with Sandbox(webhook_retry=retry, clock=clock) as server:
        yield server


@pytest.fixture
def limits() -> dict[str, Any]:
    """The server's limits for a test; tests about one limit parametrize this."""
    return {}


@pytest.fixture
def webhook_settings(settings: Settings, limits: dict[str, Any]) -> Settings:
    return with_webhook(settings, free_port(), **limits)


# The bot behind its webhook server as tests/e2e/test_webhook.py runs it, with this
# module's `webhook_settings` (the limits under test).
served = test_webhook.served
bot = test_webhook.bot


@pytest.fixture
def server(served: tuple[BotApplication, WebhookServer]) -> WebhookServer:
    return served[1]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def connect(server: WebhookServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(server.listen, server.port)


async def everything_until_closed(reader: asyncio.StreamReader) -> bytes:
    """What the server sends before it closes the connection (fails if it never does)."""
    async with asyncio.timeout(PATIENCE):
        try:
            return await reader.read()
        except ConnectionResetError:
            return b""


async def healthz(http: aiohttp.ClientSession, server: WebhookServer) -> int:
    async with http.get(server.local_url + "/healthz") as response:
        return response.status


async def post(http: aiohttp.ClientSession, url: str, body: bytes, **headers: str) -> int:
    sent = {"Content-Type": "application/json", **headers}
    async with http.post(url, data=body, headers=sent) as response:
        return response.status


def webhook_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "bot.runtime.webhook" and record.levelno >= logging.WARNING
    ]


# -- slow clients ------------------------------------------------------------------------------


@pytest.mark.parametrize("limits", [{"webhook_header_timeout": 1.0}])
async def test_half_sent_requests_are_dropped_after_the_header_timeout(
    server: WebhookServer, http: aiohttp.ClientSession, ann: ChatUser
) -> None:
    loop = asyncio.get_running_loop()
    connected = loop.time()  # each connection's header clock starts when it opens, after this
    slow = [await connect(server) for _ in range(30)]
    for _, writer in slow:
        writer.write(HALF_A_REQUEST)
        await writer.drain()

    async def closed_at(reader: asyncio.StreamReader) -> tuple[bytes, float]:
        leftover = await everything_until_closed(reader)
        return leftover, loop.time()

    closing = [asyncio.create_task(closed_at(reader)) for reader, _ in slow]
    # While they hang on, the bot is healthy and answers users.
    assert await healthz(http, server) == 200
    assert "Hi Ann" in texts(await ann.says("/start"))

    # Then each is closed without an answer (nothing came that could be answered), and not
    # before its timeout: however slow the machine, a close can only come late, never early.
    closes = await asyncio.gather(*closing)
    assert [leftover for leftover, _ in closes] == [b""] * len(slow)
    assert min(moment for _, moment in closes) - connected >= 0.95 * 1.0
    for _, writer in slow:
        writer.close()
    assert await healthz(http, server) == 200


@pytest.mark.parametrize("limits", [{"webhook_body_timeout": 1.0}])
async def test_a_body_sent_too_slowly_is_answered_408_and_the_connection_closed(
    server: WebhookServer, bot: BotApplication
) -> None:
    reader, writer = await connect(server)
    head = (
        f"POST {HOOK_PATH} HTTP/1.1\r\nHost: bot.example.com\r\n"
        f"Content-Type: application/json\r\nContent-Length: 4000\r\n"
        f"{SECRET_HEADER}: {SECRET}\r\n\r\n"
    )
    writer.write(head.encode() + b'{"update_id": 1, ')
    await writer.drain()

    answer = await everything_until_closed(reader)
    writer.close()

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert await stored_user(bot, STRANGER) is None


# -- the connection cap --------------------------------------------------------------------------


@pytest.mark.parametrize("limits", [{"webhook_max_connections": 3}])
async def test_connections_over_the_cap_are_refused_at_once_and_telegram_gets_through_later(
    server: WebhookServer, ann: ChatUser, sandbox: Sandbox
) -> None:
    held = [await connect(server) for _ in range(3)]
    # Each of these is accepted, answered 503 and closed, never held.
    over = [await connect(server) for _ in range(5)]
    answers = await asyncio.gather(*(everything_until_closed(reader) for reader, _ in over))

    assert all(answer.startswith(b"HTTP/1.1 503 ") for answer in answers)
    assert not any(reader.at_eof() for reader, _ in held)

    # Telegram's posts are refused too while the cap is full; once the held connections go,
    # its next attempt is taken.
    update = await sandbox.send_text(ann.user_id, "/start")
    await sandbox.wait_for(
        lambda: any(a.update_id == update["update_id"] for a in sandbox.webhook_attempts)
    )
    for _, writer in held + over:
        writer.close()
    replies = await ann.replies(update)
    assert "Hi Ann" in texts(replies)
    statuses = [a.status for a in sandbox.webhook_attempts if a.update_id == update["update_id"]]
    assert statuses[0] != 200
    assert statuses[-1] == 200


# -- refusals in the log -------------------------------------------------------------------------


async def test_a_thousand_refused_requests_make_a_few_log_lines(
    webhook_settings: Settings,
    clock: Clock,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    forged = json.dumps(stranger_says_start()).encode()
    application = build_application(webhook_settings, clock=clock)
    async with serving_webhook(application, webhook_settings) as server:
        url = server.local_url + HOOK_PATH
        before = len(webhook_warnings(caplog))
        statuses = await asyncio.gather(
            *(post(http, url, forged, **{SECRET_HEADER: "guessed"}) for _ in range(600)),
            *(post(http, url, b"{not json", **{SECRET_HEADER: SECRET}) for _ in range(300)),
            *(post(http, server.local_url + "/wp-login.php", b"x") for _ in range(100)),
        )
        during = webhook_warnings(caplog)[before:]

    after = webhook_warnings(caplog)[before:]
    assert sorted(set(statuses)) == [400, 403, 404]
    assert len(during) == 1, during
    summaries = [line for line in after if "more requests in" in line]
    assert len(after) <= 3
    assert len(summaries) == 1
    assert "refused 999 more requests" in summaries[0]
    assert "bad secret" in summaries[0]
    assert "malformed" in summaries[0]
    assert "wrong path or method" in summaries[0]
    assert SECRET not in caplog.text


# -- hostile JSON --------------------------------------------------------------------------------


def nested(levels: int) -> bytes:
    return b'{"update_id": 5, "x": ' + b"[" * levels + b"]" * levels + b"}"


def with_number(path: tuple[str, ...], value: str) -> bytes:
    """A real update with one number swapped for `value` (raw JSON text)."""
    update = stranger_says_start()
    marker = "__NUMBER__"
    target: Any = update
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = marker
    return json.dumps(update).replace(f'"{marker}"', value).encode()


def deepest_real_update() -> bytes:
    """A reply to a message that mentions a user: the deepest nesting real updates have."""
    update = stranger_says_start()
    message = update["message"]
    message["reply_to_message"] = {
        "message_id": 0,
        "date": message["date"],
        "chat": message["chat"],
        "from": message["from"],
        "text": "see here",
        "entities": [{"type": "text_mention", "offset": 0, "length": 3, "user": message["from"]}],
    }
    return json.dumps(update).encode()


HOSTILE = {
    "nested far beyond the parser's limit": nested(100_000),
    "nested just past the depth limit": nested(MAX_JSON_DEPTH),
    "update_id 2**70": with_number(("update_id",), str(2**70)),
    "update_id true": with_number(("update_id",), "true"),
    "update_id negative": with_number(("update_id",), "-1"),
    "a chat id past 64 bits": with_number(("message", "chat", "id"), str(2**64)),
    "NaN": with_number(("message", "date"), "NaN"),
    "a message that is a string": b'{"update_id": 5, "message": "hello"}',
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
async def test_json_telegram_never_sends_is_refused_with_400_and_no_traceback(
    body: bytes,
    bot: BotApplication,
    server: WebhookServer,
    http: aiohttp.ClientSession,
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.runtime.webhook")
    url = server.local_url + HOOK_PATH

    status = await post(http, url, body, **{SECRET_HEADER: SECRET})

    # 400 and not 5xx: the body is at fault, so nothing invites sending it again.
    assert status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.INFO]
    assert await stored_user(bot, STRANGER) is None

    # A real update right after it is handled as usual, one nested as deep as they go.
    assert await post(http, url, deepest_real_update(), **{SECRET_HEADER: SECRET}) == 200
    assert [c.method for c in sandbox.calls if c.params.get("chat_id") == STRANGER]


class Lines(logging.Handler):
    """The lines a logger writes, with a way to wait for the next one."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._arrived = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        self._arrived.set()

    async def next(self) -> str:
        self._arrived.clear()
        seen = len(self.lines)
        async with asyncio.timeout(PATIENCE):
            while len(self.lines) == seen:
                await self._arrived.wait()
        return self.lines[seen]


async def test_refusals_are_summed_up_once_per_interval_while_they_go_on() -> None:
    logger = logging.getLogger("tests.refusals")
    lines = Lines()
    logger.addHandler(lines)
    refusals = RefusalLog(logger, interval=0.2)
    try:
        refusals.refused(BAD_SECRET, "203.0.113.9")
        for _ in range(1_500):
            refusals.refused(BAD_SECRET, "203.0.113.9")
        refusals.refused(MALFORMED, "203.0.113.9", "not JSON")
        first = lines.lines[:]
        summary = await lines.next()
        refusals.refused(MALFORMED, "198.51.100.4")
        second = await lines.next()
    finally:
        refusals.close()
        logger.removeHandler(lines)

    assert len(first) == 1
    assert "203.0.113.9 (bad secret)" in first[0]
    assert "refused 1,501 more requests" in summary
    assert "(bad secret 1,500, malformed 1)" in summary
    # Still being refused: the next interval is summed up too, not logged line by line.
    assert "refused 1 more request in" in second
    assert len(lines.lines) == 3
