"""Claims on update ids (bot/db/processed_updates.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate
from bot.db.processed_updates import (
    CLAIM_LEASE,
    Claim,
    claim_update,
    finish_update,
    release_unfinished,
    release_update,
)

BOT = 1
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


async def claim(
    sessionmaker: async_sessionmaker[AsyncSession], update_id: int, now: datetime = NOW
) -> Claim:
    async with sessionmaker.begin() as session:
        return await claim_update(session, BOT, update_id, now)


async def finish(sessionmaker: async_sessionmaker[AsyncSession], update_id: int) -> bool:
    async with sessionmaker.begin() as session:
        return await finish_update(session, BOT, update_id, NOW)


async def test_a_new_update_is_taken_and_a_copy_of_a_done_one_is_not(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    assert await claim(sessionmaker, 10) is Claim.NEW
    assert await finish(sessionmaker, 10)
    assert await claim(sessionmaker, 10, NOW + 2 * CLAIM_LEASE) is Claim.DONE
    assert not await finish(sessionmaker, 10), "done once"


async def test_an_unfinished_claim_is_busy_during_the_lease_and_retaken_after(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    assert await claim(sessionmaker, 10) is Claim.NEW
    almost = NOW + CLAIM_LEASE - timedelta(seconds=1)
    assert await claim(sessionmaker, 10, almost) is Claim.BUSY
    later = NOW + CLAIM_LEASE + timedelta(seconds=1)
    assert await claim(sessionmaker, 10, later) is Claim.RETAKEN
    # The retaken claim is fresh: a copy right after it is busy again.
    assert await claim(sessionmaker, 10, later + timedelta(seconds=1)) is Claim.BUSY
    async with sessionmaker() as session:
        row = await session.get(ProcessedUpdate, (BOT, 10))
    assert row is not None
    assert row.received_at == NOW, "pruning still counts from the first delivery"
    assert row.claimed_at == later


async def test_only_one_of_many_simultaneous_claims_wins(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    new = await asyncio.gather(*(claim(sessionmaker, 20) for _ in range(6)))
    assert sorted(result.value for result in new) == ["busy"] * 5 + ["new"]

    stale = NOW + 2 * CLAIM_LEASE
    retaken = await asyncio.gather(*(claim(sessionmaker, 20, stale) for _ in range(6)))
    assert sorted(result.value for result in retaken) == ["busy"] * 5 + ["retaken"]


async def test_releasing_gives_back_unfinished_claims_only(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    for update_id in (1, 2, 3, 4):
        assert await claim(sessionmaker, update_id) is Claim.NEW
    await finish(sessionmaker, 1)
    async with sessionmaker.begin() as session:
        assert await claim_update(session, BOT + 1, 2, NOW) is Claim.NEW, "another bot's"
        assert await release_update(session, BOT, 2)
        assert not await release_update(session, BOT, 1), "a done update stays done"
    async with sessionmaker.begin() as session:
        assert await release_unfinished(session, BOT) == 2  # 3 and 4
    async with sessionmaker() as session:
        left = (
            await session.execute(select(ProcessedUpdate.bot_id, ProcessedUpdate.update_id))
        ).all()
    assert sorted(left) == [(BOT, 1), (BOT + 1, 2)]
    # A released update is simply new again.
    assert await claim(sessionmaker, 3) is Claim.NEW
