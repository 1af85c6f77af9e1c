"""Query functions for `processed_updates`: the update ids the bot has already taken on.

Telegram delivers at least once: a webhook answer lost on the way back, or a poller that
restarts before its next getUpdates confirms the offset, means the same update arrives
again, possibly at another instance sharing the database. The first instance to insert
the id handles the update; everyone else drops it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate

# Telegram keeps an unconfirmed update for at most 24 hours, so a re-delivery can arrive
# up to a day later; twice that leaves room for clock skew and a long outage.
RETENTION = timedelta(days=2)


async def claim_update(session: AsyncSession, bot_id: int, update_id: int, now: datetime) -> bool:
    """Record the update as taken; False when it already was (by this or another process).

    One INSERT … ON CONFLICT DO NOTHING: the primary key decides atomically, so two
    instances receiving the same update at the same moment cannot both win.
    """
    insert = _insert_for(session).values(bot_id=bot_id, update_id=update_id, received_at=now)
    statement = insert.on_conflict_do_nothing(
        index_elements=[ProcessedUpdate.bot_id, ProcessedUpdate.update_id]
    ).returning(ProcessedUpdate.update_id)
    inserted = await session.scalars(statement)
    return inserted.one_or_none() is not None


async def prune(session: AsyncSession, now: datetime, *, keep: timedelta = RETENTION) -> int:
    """Forget ids older than `keep` (Telegram will not re-send them); returns how many."""
    # rowcount rather than RETURNING: a busy day can leave many rows to forget.
    statement = delete(ProcessedUpdate).where(ProcessedUpdate.received_at < now - keep)
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount


def _insert_for(session: AsyncSession) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(ProcessedUpdate)
    if dialect == "sqlite":
        return sqlite.insert(ProcessedUpdate)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")
