"""Conversation state in the database (bot/runtime/persistence.py, bot/db/conversations.py), on
SQLite and PostgreSQL; and the python-telegram-bot internals the persistence relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import ConversationHandler

from bot.app import build_application
from bot.config import Settings
from bot.context import UserState
from bot.db import conversations, users
from bot.db.conversations import StateChange
from bot.db.models import ConversationState, UserFlow
from bot.runtime.persistence import DatabasePersistence
from handlers.conversation import (
    StoredConversation,
    conversation_key,
    conversation_states,
    stored_conversations,
)
from handlers.guided import ASKING

ANN, BORIS = 1001, 1002
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SPEC_DRAFT = {"spec": {"answers": {"product": "mug"}, "asked": ["product"], "current": "material"}}


async def add_user(sessions: async_sessionmaker[AsyncSession], user_id: int) -> None:
    async with sessions.begin() as session:
        await users.touch_user(session, user_id, now=NOW)


async def count(sessions: async_sessionmaker[AsyncSession], table: Any, user_id: int) -> int:
    async with sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(table).where(table.user_id == user_id)
        )
        return int(found or 0)


def message_from(user_id: int, text: str = "hello") -> Update:
    chat = {"id": user_id, "type": "private", "first_name": "Ann"}
    user = {"id": user_id, "is_bot": False, "first_name": "Ann"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": text}
    return Update.de_json({"update_id": 1, "message": message}, None)


# -- the tables ----------------------------------------------------------------------------


async def test_states_and_flows_round_trip_as_json(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_user(sessionmaker, ANN)
    async with sessionmaker.begin() as session:
        await conversations.save(
            session,
            {ANN: SPEC_DRAFT},
            {("spec_builder", "[1001,1001]"): StateChange(ANN, ASKING)},
            NOW,
        )

    async with sessionmaker() as session:
        loaded = await conversations.load_user(session, ANN)

    assert loaded.flow == SPEC_DRAFT
    (stored,) = loaded.states.values()
    assert loaded.states.keys() == {("spec_builder", "[1001,1001]")}
    assert (stored.state, stored.updated_at) == (ASKING, NOW)


async def test_ending_and_emptying_delete_the_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_user(sessionmaker, ANN)
    state_id = ("spec_builder", "[1001,1001]")
    async with sessionmaker.begin() as session:
        await conversations.save(session, {ANN: SPEC_DRAFT}, {state_id: StateChange(ANN, 1)}, NOW)
    async with sessionmaker.begin() as session:
        await conversations.save(session, {ANN: {}}, {state_id: StateChange(ANN, None)}, NOW)

    assert await count(sessionmaker, ConversationState, ANN) == 0
    assert await count(sessionmaker, UserFlow, ANN) == 0


async def test_forgetting_the_user_deletes_their_conversations(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    for user_id in (ANN, BORIS):
        await add_user(sessionmaker, user_id)
        async with sessionmaker.begin() as session:
            await conversations.save(
                session,
                {user_id: SPEC_DRAFT},
                {("spec_builder", f"[{user_id},{user_id}]"): StateChange(user_id, ASKING)},
                NOW,
            )

    async with sessionmaker.begin() as session:
        assert await users.delete_user(session, ANN)

    assert await count(sessionmaker, ConversationState, ANN) == 0
    assert await count(sessionmaker, UserFlow, ANN) == 0
    assert await count(sessionmaker, ConversationState, BORIS) == 1, "others keep theirs"
    assert await count(sessionmaker, UserFlow, BORIS) == 1


async def test_a_write_for_an_erased_user_is_skipped_not_failed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # Another process erased Ann (/forgetme) while this one still had her last step to
    # write: the batch goes through for everyone else instead of failing on the foreign key.
    await add_user(sessionmaker, BORIS)
    async with sessionmaker.begin() as session:
        written = await conversations.save(
            session,
            {ANN: SPEC_DRAFT, BORIS: SPEC_DRAFT},
            {("spec_builder", "[1001,1001]"): StateChange(ANN, ASKING)},
            NOW,
        )

    assert written == {BORIS}
    assert await count(sessionmaker, UserFlow, ANN) == 0
    assert await count(sessionmaker, UserFlow, BORIS) == 1


async def test_idle_conversations_end_and_orphaned_drafts_go(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    for user_id in (ANN, BORIS):
        await add_user(sessionmaker, user_id)
    hour_ago = NOW - timedelta(hours=1)
    async with sessionmaker.begin() as session:
        await conversations.save(
            session,
            {ANN: SPEC_DRAFT, BORIS: SPEC_DRAFT},
            {("spec_builder", "[1001,1001]"): StateChange(ANN, ASKING)},
            hour_ago,
        )
        await conversations.save(
            session, {}, {("spec_builder", "[1002,1002]"): StateChange(BORIS, ASKING)}, NOW
        )

    async with sessionmaker.begin() as session:
        ended = await conversations.delete_idle_states(
            session, "spec_builder", NOW - timedelta(minutes=30)
        )
        forgotten = await conversations.delete_idle_flows(session, NOW - timedelta(minutes=30))

    assert (ended, forgotten) == (1, 1)
    assert await count(sessionmaker, UserFlow, ANN) == 0, "Ann's abandoned draft is gone"
    assert await count(sessionmaker, UserFlow, BORIS) == 1, "Boris is still answering"


# -- the persistence -----------------------------------------------------------------------


# Flows only: an application with no conversations to put states into.
NO_CONVERSATIONS: Any = SimpleNamespace(handlers={})


async def resumed(
    persistence: DatabasePersistence, engine: AsyncEngine, user_id: int
) -> UserState:
    state = UserState()
    async with AsyncSession(engine) as session, session.begin():
        await persistence.resume(session, NO_CONVERSATIONS, message_from(user_id), state)
    return state


async def test_a_user_state_round_trips_through_another_process(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_user(sessionmaker, ANN)
    first, second = DatabasePersistence(engine), DatabasePersistence(engine)
    state = await resumed(first, engine, ANN)
    assert state.flow == {}

    state.flow.update({"track": {"shipped_at": None, "countdown": "2026-11-30T12:00:00+00:00"}})
    state.flow["weights"] = (500, 120, 52.3)  # a tuple comes back as a JSON list
    await first.update_user_data(ANN, state)
    await first.flush()

    elsewhere = await resumed(second, engine, ANN)
    assert elsewhere.flow == {
        "track": {"shipped_at": None, "countdown": "2026-11-30T12:00:00+00:00"},
        "weights": [500, 120, 52.3],
    }


async def test_a_stale_copy_never_overwrites_a_newer_flow(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_user(sessionmaker, ANN)
    here, there = DatabasePersistence(engine), DatabasePersistence(engine)
    stale = await resumed(here, engine, ANN)
    newer = await resumed(there, engine, ANN)
    newer.flow.update(SPEC_DRAFT)
    await there.update_user_data(ANN, newer)
    await there.flush()

    # This process writes back the user it last saw (an update it dropped as a duplicate,
    # so nothing was read): unchanged since it was read, so not written.
    await here.update_user_data(ANN, stale)
    await here.flush()

    assert (await resumed(DatabasePersistence(engine), engine, ANN)).flow == SPEC_DRAFT


async def test_what_json_cannot_hold_is_refused(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_user(sessionmaker, ANN)
    persistence = DatabasePersistence(engine)
    state = await resumed(persistence, engine, ANN)
    state.flow["when"] = NOW

    with pytest.raises(TypeError):
        await persistence.update_user_data(ANN, state)


async def test_a_failed_write_is_kept_for_the_next_flush(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_user(sessionmaker, ANN)
    persistence = DatabasePersistence(engine)
    state = await resumed(persistence, engine, ANN)
    state.flow.update(SPEC_DRAFT)
    await persistence.update_user_data(ANN, state)
    broken = persistence._sessions
    persistence._sessions = None  # type: ignore[assignment]
    with pytest.raises(AttributeError):
        await persistence.flush()

    persistence._sessions = broken
    await persistence.flush()

    assert (await resumed(DatabasePersistence(engine), engine, ANN)).flow == SPEC_DRAFT


# -- python-telegram-bot internals ---------------------------------------------------------


async def test_every_conversation_is_stored_and_named(settings: Settings) -> None:
    application = build_application(settings, migrate=False)
    found = [
        handler
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, ConversationHandler)
    ]

    assert found, "the conversations are registered"
    assert all(isinstance(handler, StoredConversation) for handler in found)
    assert all(handler.persistent for handler in found)
    names = [handler.name for handler in found]
    assert len(set(names)) == len(names), names
    # Timeouts come from the database; PTB's in-memory timers would not survive a restart.
    assert all(handler.conversation_timeout is None for handler in found)
    await application.bot_data.engine.dispose()


async def test_ptb_reads_states_where_the_persistence_puts_them(settings: Settings) -> None:
    """Fails if python-telegram-bot changes how a ConversationHandler keeps its states
    (handlers.conversation.conversation_states) or keys them
    (handlers.conversation.conversation_key)."""
    application = build_application(settings, migrate=False)
    await application.initialize()
    try:
        answer = message_from(ANN, "a mug")
        for handler in stored_conversations(application):
            assert conversation_key(handler, answer) == handler._get_key(answer)
            conversation_states(handler)  # a TrackingDict once initialised
        (spec,) = [h for h in stored_conversations(application) if h.name == "spec_builder"]
        states = conversation_states(spec)
        key = conversation_key(spec, answer)
        assert key is not None
        assert spec.check_update(answer) is None, "not in the conversation: not an answer"

        states.update_no_track({key: ASKING})
        checked = spec.check_update(answer)
        assert checked is not None
        assert checked[0] == ASKING, "in the conversation: read as the answer"
        assert states.pop_accessed_keys() == set(), "loading is not a change to write"

        states.data.pop(key)
        assert spec.check_update(answer) is None
    finally:
        await application.shutdown()
        await application.bot_data.engine.dispose()
