"""Conversations live in the database: a restart (even `kill -9`) mid-conversation carries
on where the user was, with their earlier answers, and two bot processes on one PostgreSQL
database share the conversation step by step. /forgetme, /cancel and the idle timeout
clear what is stored.

The walk is /spec: nine questions, each answer echoed in Chinese, and a summary at the end
that shows every answer given, so a lost step or a lost answer is plain to see.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.db.models import ConversationState, UserFlow
from bot.db.scratch import temporary_postgres_database
from bot.runtime.persistence import DatabasePersistence
from bot.runtime.polling import polling
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox, StoredMessage
from handlers import spec
from handlers.conversation import stored_conversations
from tests.conftest import BOT_TOKEN, ChatUser, texts
from tests.db.databases import POSTGRES_SKIP_REASON, TEST_DATABASE_PREFIX, postgres_admin_url
from tests.e2e.test_restart import control, start_bot, wait_until
from tests.e2e.test_restart import sandbox_url as sandbox_url  # the fixture

ANN = 1001
PRODUCT = "304 stainless steel vacuum flask"
MATERIAL = "SS304, food grade silicone"
WEIGHT = "350 g per piece"
# What the summary says for each answer above.
PRODUCT_ZH = "产品：304不锈钢保温杯"
MATERIAL_ZH = "材质：304不锈钢，食品级硅胶"
WEIGHT_ZH = "重量：单个重量350克"


@pytest.fixture
def flood_limits() -> FloodLimits:
    # The tests answer at once where a person takes seconds (as in test_small_flows).
    return FloodLimits(private_per_second=20, private_burst=20)


@pytest.fixture
def ann(sandbox: Sandbox) -> ChatUser:
    return ChatUser(sandbox, user_id=ANN)


async def stored_rows(application: BotApplication, user_id: int) -> tuple[int, int]:
    """(conversation states, flows) the database holds for the user."""
    async with application.bot_data.sessions() as session:
        states = await session.scalar(
            select(func.count())
            .select_from(ConversationState)
            .where(ConversationState.user_id == user_id)
        )
        flows = await session.scalar(
            select(func.count()).select_from(UserFlow).where(UserFlow.user_id == user_id)
        )
    return int(states or 0), int(flows or 0)


async def age_conversations(application: BotApplication, user_id: int, by: timedelta) -> None:
    """Pretend the user's last step was `by` ago."""
    then = datetime.now(UTC) - by
    async with application.bot_data.sessions.begin() as session:
        for table in (ConversationState, UserFlow):
            await session.execute(
                update(table).where(table.user_id == user_id).values(updated_at=then)
            )


# -- one process, restarted ----------------------------------------------------------------


async def test_a_restart_mid_spec_carries_on_with_the_answers_so_far(
    settings: Settings, ann: ChatUser
) -> None:
    async with polling(build_application(settings), timeout=1):
        await ann.says("/spec")
        asked = texts(await ann.says(PRODUCT))
    assert "Question 2 of 9" in asked

    async with polling(build_application(settings), timeout=1):
        carried_on = texts(await ann.says(MATERIAL))
        summary = texts(await ann.taps("Finish now"))

    assert MATERIAL_ZH in carried_on, "the answer was read as the answer to question 2"
    assert "Question 3 of 9" in carried_on
    assert PRODUCT_ZH in summary, "the answer given before the restart is kept"
    assert MATERIAL_ZH in summary


async def test_each_step_is_in_the_database_once_the_bot_has_answered(
    settings: Settings, ann: ChatUser
) -> None:
    # Not at shutdown, not a few seconds later: a process killed now would lose nothing.
    application = build_application(settings)
    async with polling(application, timeout=1):
        await ann.says("/spec")
        await ann.says(PRODUCT)

        assert await stored_rows(application, ANN) == (1, 1)
        async with application.bot_data.sessions() as session:
            flow = await session.scalar(select(UserFlow.flow).where(UserFlow.user_id == ANN))
        assert flow is not None
        assert flow[spec.FLOW.name]["answers"]["product"] == PRODUCT


# -- several processes, one PostgreSQL database ---------------------------------------------


@asynccontextmanager
async def serving(application: BotApplication) -> AsyncIterator[BotApplication]:
    """The bot started without polling: `Balancer` hands it its updates, as a load balancer
    hands webhook requests to one of several processes (two pollers would conflict)."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


@dataclass
class Balancer:
    """A user whose updates the test sends to a chosen bot process."""

    sandbox: Sandbox
    user: ChatUser

    async def says(self, application: BotApplication, text: str) -> list[StoredMessage]:
        sent = await self.sandbox.send_text(self.user.user_id, text)
        await self._deliver(application, sent)
        return await self.user.replies()

    async def taps(self, application: BotApplication, label: str) -> list[StoredMessage]:
        for message in reversed(self.sandbox.bot_messages(self.user.user_id)):
            for button in message.inline_buttons():
                if label.lower() in button["text"].lower():
                    pressed = await self.sandbox.press_button(
                        self.user.user_id, message.message_id, button["callback_data"]
                    )
                    await self._deliver(application, pressed)
                    return await self.user.replies()
        raise AssertionError(f"no button {label!r}")

    async def _deliver(self, application: BotApplication, body: dict[str, Any]) -> None:
        self.sandbox.queue.mark_delivered(body["update_id"])
        await application.process_update(Update.de_json(body, application.bot))


@pytest.fixture
async def postgres_settings(sandbox: Sandbox) -> AsyncIterator[Settings]:
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    async with temporary_postgres_database(admin_url, TEST_DATABASE_PREFIX) as url:
        yield Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=BOT_TOKEN,
            telegram_api_base_url=sandbox.base_url,
            database_url=url,
            admin_ids="42",
        )


@pytest.mark.postgres
async def test_two_processes_take_turns_in_one_conversation(
    postgres_settings: Settings, sandbox: Sandbox, ann: ChatUser
) -> None:
    async with (
        serving(build_application(postgres_settings)) as one,
        serving(build_application(postgres_settings)) as two,
    ):
        user = Balancer(sandbox, ann)
        await user.says(one, "/spec")
        first = texts(await user.says(one, PRODUCT))
        second = texts(await user.says(two, MATERIAL))
        # Back to the first process, which last saw the walk at question 2.
        third = texts(await user.says(one, WEIGHT))
        summary = texts(await user.taps(two, "Finish now"))

    assert "Question 2 of 9" in first
    assert "Question 3 of 9" in second
    assert MATERIAL_ZH in second
    assert "Question 4 of 9" in third
    assert WEIGHT_ZH in third
    for answer in (PRODUCT_ZH, MATERIAL_ZH, WEIGHT_ZH):
        assert answer in summary, answer


@pytest.mark.postgres
async def test_cancel_in_one_process_ends_the_conversation_in_the_other(
    postgres_settings: Settings, sandbox: Sandbox, ann: ChatUser
) -> None:
    async with (
        serving(build_application(postgres_settings)) as one,
        serving(build_application(postgres_settings)) as two,
    ):
        user = Balancer(sandbox, ann)
        await user.says(one, "/spec")
        await user.says(one, PRODUCT)
        await user.says(two, "/cancel")
        after = texts(await user.says(one, MATERIAL))

    assert "of 9" not in after, "the first process must not take it as an answer"
    assert MATERIAL_ZH not in after


# -- ways out ------------------------------------------------------------------------------


async def test_cancel_clears_the_stored_conversation(settings: Settings, ann: ChatUser) -> None:
    application = build_application(settings)
    async with polling(application, timeout=1):
        await ann.says("/spec")
        await ann.says(PRODUCT)
        cancelled = texts(await ann.says("/cancel"))
        stored = await stored_rows(application, ANN)

    assert "Stopped" in cancelled
    assert stored == (0, 0)
    async with polling(build_application(settings), timeout=1):
        after = texts(await ann.says(MATERIAL))
    assert "of 9" not in after, "a restart does not bring it back"


async def test_forgetme_erases_the_stored_conversation(settings: Settings, ann: ChatUser) -> None:
    application = build_application(settings)
    async with polling(application, timeout=1):
        await ann.says("/spec")
        await ann.says(PRODUCT)
        assert await stored_rows(application, ANN) == (1, 1)
        await ann.says("/forgetme")
        erased = texts(await ann.taps("Yes, erase everything"))
        stored = await stored_rows(application, ANN)

    assert "erased everything" in erased
    assert stored == (0, 0)
    async with polling(build_application(settings), timeout=1):
        after = texts(await ann.says(MATERIAL))
    assert "of 9" not in after


async def test_an_idle_conversation_times_out(settings: Settings, ann: ChatUser) -> None:
    application = build_application(settings)
    async with polling(application, timeout=1):
        await ann.says("/spec")
        await ann.says(PRODUCT)
        await age_conversations(application, ANN, timedelta(minutes=61))
        late = texts(await ann.says(MATERIAL))
        states, _ = await stored_rows(application, ANN)
        again = texts(await ann.says("/spec"))

    assert "of 9" not in late, "an hour later the answer is not taken as one"
    assert states == 0
    assert "Question 1 of 9" in again, "the walk can be started afresh"


async def test_an_active_conversation_does_not_time_out(settings: Settings, ann: ChatUser) -> None:
    application = build_application(settings)
    async with polling(application, timeout=1):
        await ann.says("/spec")
        await ann.says(PRODUCT)
        await age_conversations(application, ANN, timedelta(minutes=59))
        in_time = texts(await ann.says(MATERIAL))

    assert "Question 3 of 9" in in_time


async def test_the_sweep_forgets_abandoned_conversations(
    settings: Settings, ann: ChatUser
) -> None:
    application = build_application(settings)
    async with polling(application, timeout=1):
        await ann.says("/spec")
        await ann.says(PRODUCT)
        await age_conversations(application, ANN, timedelta(hours=2))
        persistence = application.persistence
        assert isinstance(persistence, DatabasePersistence)

        await persistence.sweep(stored_conversations(application))

        assert await stored_rows(application, ANN) == (0, 0), "the draft went too"
        after = texts(await ann.says(MATERIAL))
    assert "of 9" not in after


# -- kill -9 -------------------------------------------------------------------------------


@pytest.fixture
def bot_process(sandbox_url: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.kill()
        process.wait(timeout=10)


def _bot_texts(base: str) -> list[str]:
    messages = control(base, f"/sandbox/chats/{ANN}/messages?bot_only=1")
    return [message.get("text") or "" for message in messages]


def _say(base: str, text: str, expected: str) -> str:
    """Type `text`; wait for a reply containing `expected`; all new replies."""
    seen = len(_bot_texts(base))
    control(base, f"/sandbox/users/{ANN}/text", {"text": text})
    wait_until(lambda: any(expected in t for t in _bot_texts(base)[seen:]), timeout=30)
    return "\n".join(_bot_texts(base)[seen:])


def _tap(base: str, label: str) -> None:
    messages = control(base, f"/sandbox/chats/{ANN}/messages?bot_only=1")
    for message in reversed(messages):
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        for row in keyboard:
            for button in row:
                if label in button["text"]:
                    press = {
                        "message_id": message["message_id"],
                        "callback_data": button["callback_data"],
                    }
                    control(base, f"/sandbox/users/{ANN}/press", press)
                    return
    raise AssertionError(f"no button {label!r}")


def _ready_count(base: str) -> int:
    return len(control(base, "/sandbox/calls?method=setMyCommands"))


@pytest.mark.process
def test_a_kill_minus_nine_mid_spec_loses_no_answer(
    sandbox_url: str, tmp_path: Path, bot_process: list[subprocess.Popen[bytes]]
) -> None:
    bot_process.append(start_bot(sandbox_url, tmp_path))
    wait_until(lambda: _ready_count(sandbox_url), timeout=60)
    published = _ready_count(sandbox_url)
    _say(sandbox_url, "/spec", "Question 1 of 9")
    _say(sandbox_url, PRODUCT, "Question 2 of 9")
    # The bot has handled everything: the user is reading the next question.
    control(sandbox_url, "/sandbox/settled?quiet=0")

    bot_process[0].send_signal(signal.SIGKILL)
    bot_process[0].wait(timeout=10)
    bot_process.append(start_bot(sandbox_url, tmp_path))
    wait_until(lambda: _ready_count(sandbox_url) > published, timeout=60)

    carried_on = _say(sandbox_url, MATERIAL, "Question 3 of 9")
    seen = len(_bot_texts(sandbox_url))
    _tap(sandbox_url, "Finish now")
    summary = "\n".join(
        wait_until(
            lambda: [t for t in _bot_texts(sandbox_url)[seen:] if PRODUCT_ZH in t], timeout=30
        )
    )

    assert MATERIAL_ZH in carried_on
    assert MATERIAL_ZH in summary
