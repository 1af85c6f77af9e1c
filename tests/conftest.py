"""Shared fixtures: a running sandbox, the real bot polling it, and users who talk to it."""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx._transports.default as httpx_transports
import hypothesis
import pytest
from telegram import Update

from bot.app import BotApplication, build_application
from bot.clock import ShiftedClock, SystemClock
from bot.config import Settings
from bot.runtime.delivery import Outcome
from bot.runtime.persistence import durable
from bot.runtime.polling import polling
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox, StoredMessage
from bot.sandbox.state import ChangeSignal, JsonDict
from tests.db.databases import SqliteTemplate, drop_postgres_templates
from tests.llm_server import FakeModelServer, fake_model_server

BOT_TOKEN = "123456789:test-token-for-the-sandbox-abcdefghij"

# Hypothesis would keep the failing examples it finds in ./.hypothesis and try them first
# in later runs, from every worker: a run would depend on what another one left behind.
# A failure prints the blob that reproduces it instead. (What it still writes there is a
# cache of constants read from the source, keyed by the file's hash: no state.)
hypothesis.settings.register_profile("isolated", database=None, print_blob=True)
hypothesis.settings.load_profile("isolated")
# `-n auto` starts this many workers more than there are cores: see below.
EXTRA_WORKERS = 2


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Workers for `-n auto`: the cores, plus EXTRA_WORKERS. Much of the suite waits on the
    clock, not on a core: a half-minute soak of bot processes killed and restarted,
    reminders due seconds ahead, bots starting in their own processes. With one worker per
    core the cores idle meanwhile. PYTEST_XDIST_AUTO_NUM_WORKERS still decides if set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + EXTRA_WORKERS


@pytest.fixture(autouse=True)
def no_bot_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's shell or CI (TELEGRAM_BOT_TOKEN, DATABASE_URL, OPENAI_API_KEY…) must
    not reach the bots under test, in this process or in the processes tests start: each
    test sets what its bot needs."""
    names = set(Settings.model_fields)
    for variable in list(os.environ):
        if variable.lower() in names:
            monkeypatch.delenv(variable)


@pytest.fixture(scope="session", autouse=True)
def one_tls_context_per_process() -> Iterator[None]:
    """httpx reads the whole CA bundle into a new TLS context for every client (tens of
    milliseconds), and each bot a test builds makes two clients, all for a sandbox that
    speaks plain HTTP. One context per test process serves them all."""
    create = httpx_transports.create_ssl_context
    shared: dict[bool, ssl.SSLContext] = {}

    def create_once(
        verify: ssl.SSLContext | str | bool = True, cert: Any = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return create(verify=verify, cert=cert, trust_env=trust_env)
        if trust_env not in shared:
            shared[trust_env] = create(verify=verify, cert=cert, trust_env=trust_env)
        return shared[trust_env]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx_transports, "create_ssl_context", create_once)
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate.migrated(tmp_path_factory.mktemp("template") / "head.db")


@pytest.fixture(scope="session", autouse=True)
def postgres_templates_dropped() -> Iterator[None]:
    yield
    asyncio.run(drop_postgres_templates())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--at",
        metavar="ISO",
        help="run the bot, the reminder engine and the tests' clock from this moment "
        "(e.g. 2026-12-31T23:30Z); time then runs at its normal pace",
    )


def parse_moment_option(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise pytest.UsageError(f"--at {value}: give a zone, e.g. {value}Z")
    return moment.astimezone(UTC)


@pytest.fixture
def start_moment(request: pytest.FixtureRequest) -> datetime:
    """When the test's world begins: `--at`, or the machine's present. A bot in another
    process reads the machine's clock, so its tests share that one."""
    at = request.config.getoption("--at")
    if at is None or request.node.get_closest_marker("process") is not None:
        return SystemClock().now()
    return parse_moment_option(at)


@pytest.fixture
def clock(start_moment: datetime) -> ShiftedClock:
    """The bot's clock and the test's: one time for both, whatever `--at` says."""
    return ShiftedClock(start_moment)


@pytest.fixture
def flood_limits() -> FloodLimits:
    """Telegram's flood limits as the sandbox enforces them; modules whose users tap
    faster than people do widen them."""
    return FloodLimits()


@pytest.fixture
async def sandbox(flood_limits: FloodLimits, clock: ShiftedClock) -> AsyncIterator[Sandbox]:
    # Telegram's clock is the bot's: message dates match the moment `--at` names.
    async with Sandbox(flood=flood_limits, clock=clock) as server:
        yield server


@pytest.fixture
async def model_server() -> AsyncIterator[FakeModelServer]:
    """A local OpenAI-compatible server; the bot uses it only with `with_model` settings."""
    async with fake_model_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, sandbox: Sandbox, sqlite_template: SqliteTemplate) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=BOT_TOKEN,
        telegram_api_base_url=sandbox.base_url,
        database_url=sqlite_template.copy_to(tmp_path, "bot.db"),
        admin_ids="42",
    )


@pytest.fixture
async def bot(settings: Settings, clock: ShiftedClock) -> AsyncIterator[BotApplication]:
    application = build_application(settings, clock=clock)
    async with polling(application, timeout=1):
        yield application


# What the bot is finished with. IN_PROGRESS and NOT_TAKEN updates come again.
_FINISHED = (Outcome.HANDLED, Outcome.DUPLICATE)


class HandledUpdates:
    """What an in-process bot says it has finished with, by update id: the application's
    own signal (DurableApplication.observe_deliveries), so nothing waits on the clock."""

    def __init__(self, application: BotApplication) -> None:
        self.outcomes: dict[int, list[Outcome]] = {}
        self._changed = ChangeSignal()
        self.stop = durable(application).observe_deliveries(self._record)

    def _record(self, update: object, outcome: Outcome) -> None:
        if isinstance(update, Update):
            self.outcomes.setdefault(update.update_id, []).append(outcome)
            self._changed.notify()

    def finished(self, update_id: int) -> bool:
        return any(outcome in _FINISHED for outcome in self.outcomes.get(update_id, ()))

    async def wait(self, update_id: int, *, timeout: float = 30) -> None:
        """Until the bot has finished with the update (handled it, or dropped it as a copy
        of one it handled before)."""
        async with asyncio.timeout(timeout):
            while not self.finished(update_id):
                await self._changed.wait(None)


@pytest.fixture
def handled(bot: BotApplication) -> Iterator[HandledUpdates]:
    watcher = HandledUpdates(bot)
    yield watcher
    watcher.stop()


@dataclass
class ChatUser:
    """A Telegram user in the sandbox: says things, taps buttons, reads the replies.

    Each step returns once the bot is done with it: `handled` (when the bot runs in this
    process) reports the very update handled, and the sandbox then sees every update
    confirmed and no request of the bot in flight. A bot in another process is known to
    be done from the sandbox alone: its poller confirms an update only once handled, its
    webhook answers only then. What the bot sends later on its own (a reminder, an admin
    alert) is not part of a step: a test that expects it waits for it."""

    sandbox: Sandbox
    user_id: int
    first_name: str = "Ann"
    language_code: str | None = "en"
    handled: HandledUpdates | None = None
    seen: dict[int, str] = field(default_factory=dict)

    async def says(self, text: str) -> list[StoredMessage]:
        update = await self.sandbox.send_text(
            self.user_id, text, first_name=self.first_name, language_code=self.language_code
        )
        return await self.replies(update)

    async def taps(self, label: str) -> list[StoredMessage]:
        """Tap the button whose text contains `label` on the newest keyboard."""
        for message in reversed(self.sandbox.bot_messages(self.user_id)):
            for button in message.inline_buttons():
                if label.lower() in button["text"].lower():
                    update = await self.sandbox.press_button(
                        self.user_id, message.message_id, button["callback_data"]
                    )
                    return await self.replies(update)
        raise AssertionError(f"no button {label!r} in {self.buttons()}")

    async def taps_forged(self, data: str) -> list[StoredMessage]:
        message = self.sandbox.bot_messages(self.user_id)[-1]
        update = await self.sandbox.press_button(
            self.user_id, message.message_id, data, forged=True
        )
        return await self.replies(update)

    async def replies(self, update: JsonDict | None = None) -> list[StoredMessage]:
        """Bot messages that are new or changed since the last look, once the bot is done
        with `update` (if given) and with everything else it was sent."""
        if update is not None and self.handled is not None:
            await self.handled.wait(update["update_id"])
        await self.sandbox.wait_until_settled(timeout=30)
        fresh = []
        for message in self.sandbox.bot_messages(self.user_id):
            shown = repr((message.text, message.reply_markup))
            if self.seen.get(message.message_id) != shown:
                self.seen[message.message_id] = shown
                fresh.append(message)
        return fresh

    async def receives(self, needle: str, *, timeout: float = 30) -> list[StoredMessage]:
        """Wait for a message containing `needle` that the bot sends on its own, not in
        answer to a step (a reminder); it may have come during an earlier step already.
        Then what is new, as `replies`."""

        def arrived() -> bool:
            return any(
                needle in (message.text or message.caption or "")
                for message in self.sandbox.bot_messages(self.user_id)
            )

        await self.sandbox.wait_for(arrived, timeout=timeout)
        return await self.replies()

    def buttons(self) -> list[str]:
        messages = self.sandbox.bot_messages(self.user_id)
        return [b["text"] for b in messages[-1].inline_buttons()] if messages else []


@pytest.fixture
def ann(sandbox: Sandbox, handled: HandledUpdates) -> ChatUser:
    return ChatUser(sandbox, user_id=1001, handled=handled)


@pytest.fixture
def carl(sandbox: Sandbox, handled: HandledUpdates) -> ChatUser:
    """A second English-speaking user, for tests about one user touching another's data."""
    return ChatUser(
        sandbox, user_id=1003, first_name="Carl", language_code="en-GB", handled=handled
    )


@pytest.fixture
def boris(sandbox: Sandbox, handled: HandledUpdates) -> ChatUser:
    return ChatUser(sandbox, user_id=1002, first_name="Boris", language_code="ru", handled=handled)


def texts(messages: list[StoredMessage]) -> str:
    return "\n---\n".join(m.text or m.caption or "" for m in messages)
