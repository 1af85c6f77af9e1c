"""Webhook mode: Telegram (the sandbox) posts each update to the bot's own web server.

The bot in these tests is the whole application behind `serving_webhook`; the users are the
same `ChatUser`s as in polling tests, so every story here is told through the webhook.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy import update as update_rows
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings
from bot.context import BotApplication
from bot.db.models import ProcessedUpdate
from bot.db.processed_updates import CLAIM_LEASE
from bot.runtime.lifecycle import ALLOWED_UPDATES
from bot.runtime.webhook import (
    MAX_UPDATE_BYTES,
    SECRET_HEADER,
    WebhookServer,
    WebhookSetupError,
    serving_webhook,
)
from bot.sandbox.server import Sandbox
from bot.sandbox.updates import RetryPolicy
from tests.conftest import BOT_TOKEN, ChatUser, texts
from tests.db.databases import (
    POSTGRES_SKIP_REASON,
    postgres_admin_url,
    temporary_postgres_database,
)
from tests.e2e.test_frame import stored_user
from tests.servers import free_port

SECRET = "webhook-secret_for-tests-0123456789"
HOOK_PATH = "/telegram/update"
STRANGER = 666


def with_webhook(settings: Settings, port: int, **changes: Any) -> Settings:
    return settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}{HOOK_PATH}",
            "webhook_secret": SecretStr(SECRET),
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
            **changes,
        }
    )


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[Sandbox]:
    # Re-delivery after a refused or failed post comes quickly, as a restart test needs.
    retry = RetryPolicy(first_delay=0.05, max_delay=0.5)
    async with Sandbox(webhook_retry=retry, clock=clock) as server:
        yield server


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    return with_webhook(settings, free_port())


@pytest.fixture
async def served(
    webhook_settings: Settings, clock: Clock
) -> AsyncIterator[tuple[BotApplication, WebhookServer]]:
    application = build_application(webhook_settings, clock=clock)
    async with serving_webhook(application, webhook_settings) as server:
        yield application, server


@pytest.fixture
def bot(served: tuple[BotApplication, WebhookServer]) -> BotApplication:
    """Replaces the polling bot of tests/conftest.py, so `ann` talks through the webhook."""
    return served[0]


@pytest.fixture
def hook_url(served: tuple[BotApplication, WebhookServer]) -> str:
    return served[1].local_url + HOOK_PATH


@pytest.fixture
def health_url(served: tuple[BotApplication, WebhookServer]) -> str:
    return served[1].local_url + "/healthz"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def stranger_says_start(update_id: int = 2_000_000_001) -> dict[str, Any]:
    """An update as Telegram would post it, from a user the bot has never seen."""
    person = {"id": STRANGER, "is_bot": False, "first_name": "Mallory"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": STRANGER, "type": "private", "first_name": "Mallory"},
            "from": person,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def post(
    http: aiohttp.ClientSession, url: str, body: bytes | dict[str, Any], **headers: str
) -> int:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    sent = {"Content-Type": "application/json", **headers}
    async with http.post(url, data=data, headers=sent) as response:
        return response.status


async def health(http: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with http.get(url) as response:
        return response.status, await response.json()


def calls_to(sandbox: Sandbox, chat_id: int) -> list[str]:
    return [call.method for call in sandbox.calls if call.params.get("chat_id") == chat_id]


# -- users talk through the webhook --------------------------------------------------------


async def test_a_user_is_answered_through_the_webhook(
    ann: ChatUser, sandbox: Sandbox, bot: BotApplication, webhook_settings: Settings
) -> None:
    replies = await ann.says("/start")

    assert "Hi Ann" in texts(replies)
    assert sandbox.webhook_attempts
    assert all(attempt.status == 200 for attempt in sandbox.webhook_attempts)
    assert not [call for call in sandbox.calls if call.method == "getUpdates"]
    info = await bot.bot.get_webhook_info()
    assert info.url == webhook_settings.webhook_url
    assert list(info.allowed_updates or ()) == ALLOWED_UPDATES
    assert info.pending_update_count == 0
    registered = next(call for call in sandbox.calls if call.method == "setWebhook")
    assert registered.params["secret_token"] == SECRET


async def test_buttons_work_through_the_webhook(ann: ChatUser) -> None:
    await ann.says("/start")

    screen = await ann.taps("Is this payment safe?")

    assert screen, "tapping a menu button got no answer"


# -- at least once --------------------------------------------------------------------------


async def test_the_webhook_answers_only_once_the_update_is_handled(
    ann: ChatUser, sandbox: Sandbox
) -> None:
    """So a process that dies half-way never answered 200, and Telegram sends it again."""
    before = len(sandbox.calls)
    update = await sandbox.send_text(ann.user_id, "/help")
    await ann.replies(update)

    answer = next(
        call
        for call in sandbox.calls[before:]
        if call.method == "sendMessage" and call.params.get("chat_id") == ann.user_id
    )
    attempt = next(a for a in sandbox.webhook_attempts if a.update_id == update["update_id"])
    assert attempt.status == 200
    assert answer.time + answer.duration <= attempt.time


async def test_an_update_another_instance_holds_is_refused_until_its_lease_ends(
    ann: ChatUser, sandbox: Sandbox, bot: BotApplication, clock: Clock
) -> None:
    first = await sandbox.send_text(ann.user_id, "/help")
    await ann.replies(first)
    # The next update's id: claimed by an instance that is (as far as anyone knows)
    # handling it right now.
    held = first["update_id"] + 1
    sessions = bot.bot_data.sessions
    claimed = clock.now()
    async with sessions.begin() as session:
        session.add(
            ProcessedUpdate(
                bot_id=bot.bot.id, update_id=held, received_at=claimed, claimed_at=claimed
            )
        )

    update = await sandbox.send_text(ann.user_id, "/start")
    assert update["update_id"] == held
    await sandbox.wait_for(lambda: len(attempts_of(sandbox, held)) >= 2)
    assert set(attempts_of(sandbox, held)) == {503}, "Telegram is asked to send it again"
    assert "Hi Ann" not in texts(sandbox.bot_messages(ann.user_id))

    # That instance died: once its lease is over, the next copy is handled here.
    async with sessions.begin() as session:
        await session.execute(
            update_rows(ProcessedUpdate)
            .where(ProcessedUpdate.update_id == held)
            .values(claimed_at=claimed - CLAIM_LEASE)
        )
    replies = await ann.replies(update)
    assert "Hi Ann" in texts(replies)
    assert attempts_of(sandbox, held)[-1] == 200

    sandbox.redeliver(update)  # and a copy of it now is a copy of a handled update
    await sandbox.wait_for(lambda: attempts_of(sandbox, held).count(200) == 2)
    await sandbox.wait_until_settled()
    assert sum("Hi Ann" in (m.text or "") for m in sandbox.bot_messages(ann.user_id)) == 1


def attempts_of(sandbox: Sandbox, update_id: int) -> list[int | None]:
    return [a.status for a in sandbox.webhook_attempts if a.update_id == update_id]


# -- what is refused ------------------------------------------------------------------------


async def test_updates_without_the_right_secret_are_refused_and_change_nothing(
    ann: ChatUser,
    sandbox: Sandbox,
    bot: BotApplication,
    http: aiohttp.ClientSession,
    hook_url: str,
) -> None:
    forged = stranger_says_start()

    wrong = await post(http, hook_url, forged, **{SECRET_HEADER: "guessed-secret"})
    missing = await post(http, hook_url, forged)
    # The bot keeps working for real users; their answer comes after the refused posts.
    await ann.says("/start")

    assert (wrong, missing) == (403, 403)
    assert calls_to(sandbox, STRANGER) == []
    assert await stored_user(bot, STRANGER) is None

    # The same update with the secret is taken: the refusal was the secret's doing.
    accepted = await post(http, hook_url, forged, **{SECRET_HEADER: SECRET})
    await sandbox.wait_for(lambda: calls_to(sandbox, STRANGER), timeout=30)
    assert accepted == 200
    assert await stored_user(bot, STRANGER) is not None


async def test_malformed_requests_are_refused_and_the_bot_keeps_answering(
    ann: ChatUser, http: aiohttp.ClientSession, hook_url: str, sandbox: Sandbox
) -> None:
    authentic = {SECRET_HEADER: SECRET}
    too_big = json.dumps({"update_id": 7, "padding": "x" * MAX_UPDATE_BYTES}).encode()

    not_json = await post(http, hook_url, b"{not json", **authentic)
    not_an_update = await post(http, hook_url, b'["update_id", 1]', **authentic)
    no_update_id = await post(http, hook_url, {"message": {"text": "hi"}}, **authentic)
    oversized = await post(http, hook_url, too_big, **authentic)
    async with http.post(hook_url, data=b"update_id=1", headers=authentic) as form:
        wrong_type = form.status
    async with http.get(hook_url, headers=authentic) as get:
        read = get.status

    assert not_json == 400
    assert not_an_update == 400
    assert no_update_id == 400
    assert oversized == 413
    assert wrong_type == 415
    assert read == 405
    replies = await ann.says("/start")
    assert "Hi Ann" in texts(replies)


async def test_webhook_refuses_to_start_without_a_secret(settings: Settings) -> None:
    unprotected = with_webhook(settings, free_port(), webhook_secret=None)
    application = build_application(unprotected)

    with pytest.raises(WebhookSetupError, match="WEBHOOK_SECRET"):
        async with serving_webhook(application, unprotected):
            pass


async def test_a_url_telegram_refuses_is_reported(settings: Settings, sandbox: Sandbox) -> None:
    plain_http = with_webhook(
        settings, free_port(), webhook_url=f"http://bot.example.com{HOOK_PATH}"
    )
    application = build_application(plain_http)

    with pytest.raises(WebhookSetupError, match=r"(?i)refused the webhook.*https url"):
        async with serving_webhook(application, plain_http):
            pass

    # That refusal is what this test is about, not a reply the bot got wrong.
    sandbox.calls[:] = [call for call in sandbox.calls if call.method != "setWebhook"]


async def test_a_busy_port_is_reported_and_every_stop_frees_the_database(
    settings: Settings, sandbox: Sandbox
) -> None:
    dora = ChatUser(sandbox, user_id=1004, first_name="Dora")
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        busy = with_webhook(settings, occupant.getsockname()[1])
        with pytest.raises(WebhookSetupError, match=r"cannot listen on 127\.0\.0\.1:"):
            async with serving_webhook(build_application(busy), busy):
                pass

    # Only one bot may use a SQLite file at a time, so each start below succeeds only if
    # the one before ran its shutdown hooks and let the file go.
    free = with_webhook(settings, free_port())
    async with serving_webhook(build_application(free), free):
        first = await dora.says("/start")
    async with serving_webhook(build_application(free), free):
        second = await dora.says("/help")

    assert "Hi Dora" in texts(first)
    assert "How I can help" in texts(second)


# -- health -----------------------------------------------------------------------------------


async def test_health_reports_database_and_reminders(
    http: aiohttp.ClientSession, health_url: str
) -> None:
    status, report = await health(http, health_url)

    assert status == 200
    assert report == {"status": "ok", "database": "ok", "reminders": "running"}


async def test_health_is_unavailable_when_the_database_cannot_be_reached(
    settings: Settings, http: aiohttp.ClientSession
) -> None:
    # Nothing listens on this port: PostgreSQL is down. Migrations would fail at start-up,
    # so they are skipped to see the running bot's report.
    down = f"postgresql+asyncpg://bot:pw@127.0.0.1:{free_port()}/sourcing_guard"
    broken = with_webhook(settings, free_port(), database_url=down)
    application = build_application(broken, migrate=False)

    async with serving_webhook(application, broken) as server:
        status, report = await health(http, server.local_url + "/healthz")

    assert status == 503
    assert report == {"status": "unavailable", "database": "unreachable", "reminders": "running"}


async def set_connections_allowed(admin_url: str, database: str, allowed: bool) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            flag = "true" if allowed else "false"
            await connection.execute(
                text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {flag}')
            )
            if not allowed:
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": database},
                )
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_health_follows_a_postgres_outage_and_recovery(
    settings: Settings, http: aiohttp.ClientSession
) -> None:
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    async with temporary_postgres_database(admin_url) as database_url:
        name = make_url(database_url).database
        assert name is not None
        on_postgres = with_webhook(settings, free_port(), database_url=database_url)
        async with serving_webhook(build_application(on_postgres), on_postgres) as server:
            url = server.local_url + "/healthz"
            before = await health(http, url)
            await set_connections_allowed(admin_url, name, allowed=False)
            try:
                during = await health(http, url)
            finally:
                await set_connections_allowed(admin_url, name, allowed=True)
            after = await health(http, url)

    assert before[0] == 200
    assert during == (
        503,
        {"status": "unavailable", "database": "unreachable", "reminders": "running"},
    )
    assert after[0] == 200


# -- the command an operator runs -------------------------------------------------------------


async def start_webhook_process(
    tmp_path: Path, sandbox: Sandbox, port: int, log: Path
) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env = {
        **clean,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK_PATH}",
        "WEBHOOK_SECRET": SECRET,
        # Overridden on the command line below, which is what this shows.
        "WEBHOOK_PORT": "1",
    }
    with log.open("ab") as stream:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--webhook",
            "--listen",
            "127.0.0.1",
            "--port",
            str(port),
            cwd=tmp_path,
            env=env,
            stdout=stream,
            stderr=stream,
        )


def webhook_registrations(sandbox: Sandbox) -> int:
    return sum(1 for call in sandbox.calls if call.method == "setWebhook" and call.ok)


@pytest.mark.process
async def test_run_webhook_answers_stops_on_sigterm_and_catches_up_after_a_restart(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    port, log = free_port(), tmp_path / "bot.log"
    ann = ChatUser(sandbox, user_id=1001)

    first = await start_webhook_process(tmp_path, sandbox, port, log)
    await sandbox.wait_for(lambda: webhook_registrations(sandbox) == 1, timeout=60)
    greeting = await ann.says("/start")
    first.send_signal(signal.SIGTERM)
    first_exit = await asyncio.wait_for(first.wait(), timeout=30)

    # Written while the bot is down: Telegram keeps it, since the webhook stays set.
    await sandbox.send_text(ann.user_id, "/help")
    after = sandbox.event_seq
    second = await start_webhook_process(tmp_path, sandbox, port, log)
    try:
        caught_up = await sandbox.wait_for_bot_message(ann.user_id, after=after, timeout=60)
    finally:
        second.send_signal(signal.SIGTERM)
        second_exit = await asyncio.wait_for(second.wait(), timeout=30)

    output = log.read_text()
    assert "Hi Ann" in texts(greeting)
    assert first_exit == 0, output
    assert "How I can help" in texts([caught_up])
    assert second_exit == 0, output
    assert output.count("webhook: stopped") == 2
    assert SECRET not in output
