"""Query functions for `conversation_states` and `user_flows`: where each user is in a
conversation and the answers they gave so far (bot/runtime/persistence.py explains the design).

Every function takes an open AsyncSession and leaves committing to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.compiled import Precompiled
from bot.db.models import ConversationState, User, UserFlow

# (conversation name, key as JSON text): the primary key of a conversation_states row.
StateId = tuple[str, str]


@dataclass(frozen=True)
class StoredState:
    state: Any
    updated_at: datetime


@dataclass(frozen=True)
class StateChange:
    """A conversation moved to `state`, or ended (None)."""

    user_id: int
    state: Any | None


@dataclass(frozen=True)
class UserSnapshot:
    """What the database holds about one user's conversations."""

    flow: dict[str, Any]
    states: dict[StateId, StoredState]


_LOAD_USER = Precompiled(
    lambda _dialect: (
        select(
            UserFlow.flow,
            ConversationState.conversation,
            ConversationState.conversation_key,
            ConversationState.state,
            ConversationState.updated_at,
        )
        .select_from(User)
        .outerjoin(UserFlow, UserFlow.user_id == User.telegram_id)
        .outerjoin(ConversationState, ConversationState.user_id == User.telegram_id)
        .where(User.telegram_id == bindparam("user_id"))
    )
)


async def load_user(session: AsyncSession, user_id: int) -> UserSnapshot:
    """One statement, every update: the flow repeats on each of the user's state rows."""
    rows = await _LOAD_USER.execute(session, {"user_id": user_id})
    flow: Any = None
    states: dict[StateId, StoredState] = {}
    for row_flow, name, key, state, updated_at in rows:
        flow = row_flow
        if name is not None:
            states[(name, key)] = StoredState(state, updated_at)
    return UserSnapshot(flow=dict(flow) if isinstance(flow, dict) else {}, states=states)


async def save(
    session: AsyncSession,
    flows: Mapping[int, dict[str, Any] | None],
    states: Mapping[StateId, StateChange],
    now: datetime,
) -> set[int]:
    """Write flows (None or empty: delete) and conversation states (None: delete).

    Rows of users who are no longer in `users` (erased by /forgetme, possibly by another
    process a moment ago) are skipped rather than failing the whole batch on the foreign
    key. Returns the users whose data was written or deleted.
    """
    user_ids = set(flows) | {change.user_id for change in states.values()}
    if not user_ids:
        return set()
    present = set(
        await session.scalars(select(User.telegram_id).where(User.telegram_id.in_(user_ids)))
    )
    for user_id, flow in flows.items():
        if user_id not in present:
            continue
        if flow:
            await _upsert_flow(session, user_id, flow, now)
        else:
            await session.execute(delete(UserFlow).where(UserFlow.user_id == user_id))
    for (name, key), change in states.items():
        if change.user_id not in present:
            continue
        if change.state is None:
            await session.execute(
                delete(ConversationState).where(
                    ConversationState.conversation == name,
                    ConversationState.conversation_key == key,
                )
            )
        else:
            await _upsert_state(session, name, key, change, now)
    return present


def _build_flow_upsert(dialect: str) -> Any:
    insert = _insert_for_dialect(dialect, UserFlow).values(
        user_id=bindparam("user_id"), flow=bindparam("flow"), updated_at=bindparam("now")
    )
    return insert.on_conflict_do_update(
        index_elements=[UserFlow.user_id],
        set_={"flow": insert.excluded.flow, "updated_at": insert.excluded.updated_at},
    )


def _build_state_upsert(dialect: str) -> Any:
    insert = _insert_for_dialect(dialect, ConversationState).values(
        conversation=bindparam("name"),
        conversation_key=bindparam("key"),
        user_id=bindparam("user_id"),
        state=bindparam("state"),
        updated_at=bindparam("now"),
    )
    return insert.on_conflict_do_update(
        index_elements=[ConversationState.conversation, ConversationState.conversation_key],
        set_={
            "user_id": insert.excluded.user_id,
            "state": insert.excluded.state,
            "updated_at": insert.excluded.updated_at,
        },
    )


_FLOW_UPSERT = Precompiled(_build_flow_upsert)
_STATE_UPSERT = Precompiled(_build_state_upsert)


async def _upsert_flow(
    session: AsyncSession, user_id: int, flow: dict[str, Any], now: datetime
) -> None:
    await _FLOW_UPSERT.execute(session, {"user_id": user_id, "flow": flow, "now": now})


async def _upsert_state(
    session: AsyncSession, name: str, key: str, change: StateChange, now: datetime
) -> None:
    await _STATE_UPSERT.execute(
        session,
        {"name": name, "key": key, "user_id": change.user_id, "state": change.state, "now": now},
    )


async def delete_idle_state(
    session: AsyncSession, state_id: StateId, idle_since: datetime
) -> None:
    """End one conversation if nobody has touched it since `idle_since`.

    The condition, not the caller's earlier read, decides: a step the user took meanwhile
    through another bot process keeps the conversation alive."""
    name, key = state_id
    await session.execute(
        delete(ConversationState).where(
            ConversationState.conversation == name,
            ConversationState.conversation_key == key,
            ConversationState.updated_at < idle_since,
        )
    )


async def delete_idle_states(session: AsyncSession, name: str, idle_since: datetime) -> int:
    """End every conversation `name` untouched since `idle_since`; return how many."""
    result = await session.execute(
        delete(ConversationState)
        .where(ConversationState.conversation == name, ConversationState.updated_at < idle_since)
        .returning(ConversationState.user_id)
    )
    return len(result.all())


async def delete_idle_flows(session: AsyncSession, idle_since: datetime) -> int:
    """Forget drafts unchanged since `idle_since` of users with no conversation left."""
    in_conversation = exists().where(ConversationState.user_id == UserFlow.user_id)
    result = await session.execute(
        delete(UserFlow)
        .where(UserFlow.updated_at < idle_since, ~in_conversation)
        .returning(UserFlow.user_id)
    )
    return len(result.all())


def _insert_for_dialect(
    dialect: str, table: type[UserFlow] | type[ConversationState]
) -> postgresql.Insert | sqlite.Insert:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")
