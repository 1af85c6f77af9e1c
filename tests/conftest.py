"""Shared fixtures: a running sandbox, the real bot polling it, and users who talk to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import BotApplication, build_application
from bot.clock import ShiftedClock, SystemClock
from bot.config import Settings
from bot.runtime.polling import polling
from bot.sandbox.server import Sandbox, StoredMessage
from tests.llm_server import FakeModelServer, fake_model_server

BOT_TOKEN = "123456789:test-token-for-the-sandbox-abcdefghij"


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
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as server:
        yield server


@pytest.fixture
async def model_server() -> AsyncIterator[FakeModelServer]:
    """A local OpenAI-compatible server; the bot uses it only with `with_model` settings."""
    async with fake_model_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, sandbox: Sandbox) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=BOT_TOKEN,
        telegram_api_base_url=sandbox.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        admin_ids="42",
    )


@pytest.fixture
async def bot(settings: Settings, clock: ShiftedClock) -> AsyncIterator[BotApplication]:
    application = build_application(settings, clock=clock)
    async with polling(application, timeout=1):
        yield application


@dataclass
class ChatUser:
    """A Telegram user in the sandbox: says things, taps buttons, reads the replies."""

    sandbox: Sandbox
    user_id: int
    first_name: str = "Ann"
    language_code: str | None = "en"
    seen: dict[int, str] = field(default_factory=dict)

    async def says(self, text: str) -> list[StoredMessage]:
        before = len(self.sandbox.calls)
        await self.sandbox.send_text(
            self.user_id, text, first_name=self.first_name, language_code=self.language_code
        )
        return await self.replies(after_call=before)

    async def taps(self, label: str) -> list[StoredMessage]:
        """Tap the button whose text contains `label` on the newest keyboard."""
        for message in reversed(self.sandbox.bot_messages(self.user_id)):
            for button in message.inline_buttons():
                if label.lower() in button["text"].lower():
                    before = len(self.sandbox.calls)
                    await self.sandbox.press_button(
                        self.user_id, message.message_id, button["callback_data"]
                    )
                    return await self.replies(after_call=before)
        raise AssertionError(f"no button {label!r} in {self.buttons()}")

    async def taps_forged(self, data: str) -> list[StoredMessage]:
        message = self.sandbox.bot_messages(self.user_id)[-1]
        before = len(self.sandbox.calls)
        await self.sandbox.press_button(self.user_id, message.message_id, data, forged=True)
        return await self.replies(after_call=before)

    async def replies(self, after_call: int | None = None) -> list[StoredMessage]:
        """Bot messages that are new or changed since the last look.

        With `after_call`, first waits until the bot has answered at all (every message and
        button press gets an answer), so a slow machine cannot make the wait end early."""
        if after_call is not None:
            await self.sandbox.wait_for(lambda: self._answered_since(after_call), timeout=30)
        await self.sandbox.wait_until_settled()
        fresh = []
        for message in self.sandbox.bot_messages(self.user_id):
            shown = repr((message.text, message.reply_markup))
            if self.seen.get(message.message_id) != shown:
                self.seen[message.message_id] = shown
                fresh.append(message)
        return fresh

    def _answered_since(self, index: int) -> bool | None:
        answering = ("send", "edit", "answerCallbackQuery")
        calls = self.sandbox.calls[index:]
        return any(call.method.startswith(answering) for call in calls) or None

    def buttons(self) -> list[str]:
        messages = self.sandbox.bot_messages(self.user_id)
        return [b["text"] for b in messages[-1].inline_buttons()] if messages else []


@pytest.fixture
def ann(sandbox: Sandbox, bot: BotApplication) -> ChatUser:
    return ChatUser(sandbox, user_id=1001)


@pytest.fixture
def carl(sandbox: Sandbox, bot: BotApplication) -> ChatUser:
    """A second English-speaking user, for tests about one user touching another's data."""
    return ChatUser(sandbox, user_id=1003, first_name="Carl", language_code="en-GB")


@pytest.fixture
def boris(sandbox: Sandbox, bot: BotApplication) -> ChatUser:
    return ChatUser(sandbox, user_id=1002, first_name="Boris", language_code="ru")


def texts(messages: list[StoredMessage]) -> str:
    return "\n---\n".join(m.text or m.caption or "" for m in messages)
