"""Query functions for `processed_updates`: the update ids the bot has taken on.

Telegram delivers at least once: a webhook answer lost on the way back, or a poller that
restarts before its next getUpdates confirms the offset, means the same update arrives
again, possibly at another instance sharing the database. A row is first a claim (the
process that inserted it is handling the update) and then done (its handlers finished).
A copy of a done update is dropped; a copy of an update whose claim is older than the
lease belongs to a process that died half-way, and is handled again (bot/runtime/delivery.py has
the whole story).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.compiled import Precompiled
from bot.db.models import ProcessedUpdate

# Telegram keeps an unconfirmed update for at most 24 hours, so a re-delivery can arrive
# up to a day later; twice that leaves room for clock skew and a long outage.
RETENTION = timedelta(days=2)

# How long a claim protects an update that is being handled. A copy arriving meanwhile is
# left to the claimer; once the lease is over, the claimer is taken for dead and the copy
# is handled. So the lease must outlast the slowest update: one that asks the language
# model waits up to OPENAI_TIMEOUT_SECONDS (20 s) per attempt, with up to two retries, and
# may be held up by flood control. Twice that worst minute keeps a slow but living claimer
# from being doubled. The price is paid only after a crash in webhook mode: a copy of the
# update the dead process held waits this long before another instance handles it (a
# restarted poller releases such claims at once, see `release_unfinished`). A constant,
# not a setting: nothing about a deployment changes the trade.
CLAIM_LEASE = timedelta(seconds=120)


class Claim(enum.Enum):
    """What `claim_update` found."""

    NEW = "new"  # never seen: this caller handles it
    RETAKEN = "retaken"  # claimed by a process that died (lease over): this caller handles it
    DONE = "done"  # handled already: drop the copy
    BUSY = "busy"  # another process is handling it right now: leave it to them

    @property
    def taken(self) -> bool:
        """This caller holds the claim and must handle the update."""
        return self in (Claim.NEW, Claim.RETAKEN)


async def claim_update(
    session: AsyncSession,
    bot_id: int,
    update_id: int,
    now: datetime,
    *,
    lease: timedelta = CLAIM_LEASE,
) -> Claim:
    """Claim the update for this caller, or say why not.

    Both steps decide atomically on either backend, so two instances given the same update
    at the same moment cannot both win: the INSERT … ON CONFLICT DO NOTHING on the primary
    key, and the conditional UPDATE … RETURNING of a stale claim (PostgreSQL re-checks the
    condition on the row it waited for; SQLite's BEGIN IMMEDIATE lets one writer at a time).
    """
    claimed = await _CLAIM.execute(session, {"bot_id": bot_id, "update_id": update_id, "now": now})
    if claimed.one_or_none() is not None:
        return Claim.NEW
    row = _row(bot_id, update_id)
    retake = (
        update(ProcessedUpdate)
        .where(row, ProcessedUpdate.done_at.is_(None), ProcessedUpdate.claimed_at < now - lease)
        .values(claimed_at=now)
        .returning(ProcessedUpdate.update_id)
    )
    if (await session.scalars(retake)).one_or_none() is not None:
        return Claim.RETAKEN
    done_at = await session.scalar(select(ProcessedUpdate.done_at).where(row))
    # No row at all means it was pruned or released between the two statements: someone
    # else is deciding about it right now, and a copy will come back if they give it up.
    return Claim.DONE if done_at is not None else Claim.BUSY


async def finish_update(session: AsyncSession, bot_id: int, update_id: int, now: datetime) -> bool:
    """Mark a claimed update done; False when there was no unfinished claim to mark."""
    values = {"bot_id": bot_id, "update_id": update_id, "now": now}
    result = cast("CursorResult[Any]", await _FINISH.execute(session, values))
    return result.rowcount > 0


async def release_update(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    """Give back an unfinished claim (its handling was interrupted), so that a copy of the
    update is handled at once instead of after the lease. A done update stays done."""
    statement = delete(ProcessedUpdate).where(
        _row(bot_id, update_id), ProcessedUpdate.done_at.is_(None)
    )
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount > 0


async def release_unfinished(session: AsyncSession, bot_id: int) -> int:
    """Give back every unfinished claim of this bot; returns how many.

    Only for a poller that is starting: Telegram lets one poller per token fetch updates,
    so no other living process can hold these claims (bot/runtime/polling.py)."""
    statement = delete(ProcessedUpdate).where(
        ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.done_at.is_(None)
    )
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount


async def prune(session: AsyncSession, now: datetime, *, keep: timedelta = RETENTION) -> int:
    """Forget ids older than `keep` (Telegram will not re-send them); returns how many."""
    # rowcount rather than RETURNING: a busy day can leave many rows to forget.
    statement = delete(ProcessedUpdate).where(ProcessedUpdate.received_at < now - keep)
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount


# Every update runs these two; compiled once (bot/db/compiled.py).
_CLAIM = Precompiled(
    lambda dialect: (
        _insert_for_dialect(dialect)
        .values(
            bot_id=bindparam("bot_id"),
            update_id=bindparam("update_id"),
            received_at=bindparam("now"),
            claimed_at=bindparam("now"),
        )
        .on_conflict_do_nothing(index_elements=[ProcessedUpdate.bot_id, ProcessedUpdate.update_id])
        .returning(ProcessedUpdate.update_id)
    )
)
_FINISH = Precompiled(
    lambda _dialect: (
        update(ProcessedUpdate)
        .where(
            ProcessedUpdate.bot_id == bindparam("bot_id"),
            ProcessedUpdate.update_id == bindparam("update_id"),
            ProcessedUpdate.done_at.is_(None),
        )
        .values(done_at=bindparam("now"))
    )
)


def _row(bot_id: int, update_id: int) -> ColumnElement[bool]:
    return and_(ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id)


def _insert_for_dialect(dialect: str) -> postgresql.Insert | sqlite.Insert:
    if dialect == "postgresql":
        return postgresql.insert(ProcessedUpdate)
    if dialect == "sqlite":
        return sqlite.insert(ProcessedUpdate)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")
