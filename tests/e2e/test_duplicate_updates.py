"""Telegram delivers at least once; the user still gets one answer per message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.db import processed_updates
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrations import upgrade_to_head
from bot.db.models import Order, ProcessedUpdate
from bot.db.processed_updates import Claim
from bot.runtime.polling import polling
from bot.sandbox.server import Sandbox
from tests.conftest import BOT_TOKEN, ChatUser, texts
from tests.db.databases import (
    migrated_postgres_database,
    sqlite_file_url,
)

HELP_TITLE = "How I can help"


def answers_containing(sandbox: Sandbox, user_id: int, needle: str) -> int:
    return sum(needle in (m.text or "") for m in sandbox.bot_messages(user_id))


def handed_out(sandbox: Sandbox, update_id: int) -> int:
    """How many times getUpdates gave the bot this update."""
    return sum(
        any(u["update_id"] == update_id for u in call.result or [])
        for call in sandbox.calls
        if call.method == "getUpdates" and call.ok
    )


async def test_a_redelivered_message_is_answered_once(ann: ChatUser, sandbox: Sandbox) -> None:
    update = await sandbox.send_text(ann.user_id, "/help")
    await ann.replies(update)

    sandbox.redeliver(update)
    # Updates are handled in order: once the next message is answered, the copy was seen.
    await ann.says("/menu")

    # Handed out again (more than once when a poll comes while the copy is in hand: the
    # offset stays at an update until it is done, bot/runtime/update_order.py).
    assert handed_out(sandbox, update["update_id"]) >= 2
    assert answers_containing(sandbox, ann.user_id, HELP_TITLE) == 1


async def test_a_redelivered_track_command_tracks_one_order(
    ann: ChatUser, sandbox: Sandbox, bot: BotApplication
) -> None:
    update = await sandbox.send_text(ann.user_id, "/track 5d mugs")
    await ann.replies(update)

    sandbox.redeliver(update)
    await ann.says("/help")

    # Handed out again (more than once when a poll comes while the copy is in hand: the
    # offset stays at an update until it is done, bot/runtime/update_order.py).
    assert handed_out(sandbox, update["update_id"]) >= 2
    async with bot.bot_data.sessions() as session:
        tracked = await session.scalar(
            select(func.count()).select_from(Order).where(Order.user_id == ann.user_id)
        )
    assert tracked == 1


async def test_a_track_handled_again_after_a_crash_still_tracks_one_order(
    ann: ChatUser, sandbox: Sandbox, bot: BotApplication
) -> None:
    """A crash after the order was saved but before the update was marked done: the update
    is handled again (at least once), and finds the order it created the first time."""
    update = await sandbox.send_text(ann.user_id, "/track 5d mugs")
    await ann.replies(update)
    async with bot.bot_data.sessions.begin() as session:
        # A SIGKILL between the order's commit and the done mark leaves an unfinished
        # claim, which the restarted poller gives back: as if the update was never taken.
        await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.update_id == update["update_id"])
        )

    sandbox.redeliver(update)
    again = await ann.says("/help")

    async with bot.bot_data.sessions() as session:
        orders = list(await session.scalars(select(Order).where(Order.user_id == ann.user_id)))
    assert [order.label for order in orders] == ["mugs"]
    assert answers_containing(sandbox, ann.user_id, "mugs") >= 2  # shown again, not doubled
    assert HELP_TITLE in texts(again)


async def test_a_new_sandbox_on_the_same_database_is_still_answered(tmp_path: Path) -> None:
    """`python -m bot chat` starts a new sandbox each time against ./data: its update ids
    must not look like ones the bot already handled in the previous session."""
    database_url = sqlite_file_url(tmp_path)
    for _session in range(2):
        async with Sandbox() as sandbox:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                telegram_bot_token=BOT_TOKEN,
                telegram_api_base_url=sandbox.base_url,
                database_url=database_url,
            )
            async with polling(build_application(settings), timeout=1):
                replies = await ChatUser(sandbox, user_id=1001).says("/help")
        assert HELP_TITLE in texts(replies)


async def test_old_update_ids_are_pruned_and_recent_ones_kept(tmp_path: Path) -> None:
    url = sqlite_file_url(tmp_path)
    await upgrade_to_head(url)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    now = datetime.now(UTC)
    days_ago, hour_ago = now - timedelta(days=3), now - timedelta(hours=1)
    try:
        async with sessions.begin() as session:
            for bot_id, update_id, when in ((1, 10, days_ago), (1, 11, hour_ago), (2, 10, now)):
                claim = await processed_updates.claim_update(session, bot_id, update_id, when)
                assert claim is Claim.NEW, (bot_id, update_id)  # (2, 10): another bot's id
                await processed_updates.finish_update(session, bot_id, update_id, when)
            assert await processed_updates.claim_update(session, 1, 11, now) is Claim.DONE
        async with sessions.begin() as session:
            assert await processed_updates.prune(session, now) == 1
        async with sessions() as session:
            kept = (
                await session.execute(select(ProcessedUpdate.bot_id, ProcessedUpdate.update_id))
            ).all()
        assert sorted(kept) == [(1, 11), (2, 10)]
    finally:
        await engine.dispose()


# -- several instances on one PostgreSQL --------------------------------------------------


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with migrated_postgres_database() as url:
        yield url


@pytest.mark.postgres
async def test_two_instances_given_the_same_update_answer_once(
    sandbox: Sandbox, postgres_url: str
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=BOT_TOKEN,
        telegram_api_base_url=sandbox.base_url,
        database_url=postgres_url,
    )
    instances = [build_application(settings, migrate=False) for _ in range(2)]
    for application in instances:
        await application.initialize()
    try:
        raw = await sandbox.send_text(1001, "/help")
        sandbox.queue.drop_all()  # nobody polls: the instances are handed the update below
        copies = [Update.de_json(raw, application.bot) for application in instances]

        await asyncio.gather(
            *(
                application.process_update(copy)
                for application, copy in zip(instances, copies, strict=True)
            )
        )
        await sandbox.wait_until_settled()

        assert answers_containing(sandbox, 1001, HELP_TITLE) == 1
    finally:
        for application in instances:
            await application.shutdown()
            await application.bot_data.engine.dispose()
