"""The AI helper's daily budget per user, on SQLite and PostgreSQL: counted atomically,
shared by every process on the database, reset by the day, erased with the user."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.llm import requests_today, spend_one
from bot.db.users import delete_user, touch_user

Sessions = async_sessionmaker[AsyncSession]
TODAY = date(2026, 11, 26)
ANN = 1001


async def spend(sessionmaker: Sessions, day: date = TODAY, limit: int = 3) -> bool:
    async with sessionmaker() as session, session.begin():
        return await spend_one(session, ANN, day, limit)


async def new_user(sessionmaker: Sessions) -> None:
    async with sessionmaker() as session, session.begin():
        await touch_user(session, ANN, now=datetime.now(UTC))


async def test_requests_are_counted_until_the_limit(sessionmaker: Sessions) -> None:
    await new_user(sessionmaker)
    taken = [await spend(sessionmaker) for _ in range(5)]
    assert taken == [True, True, True, False, False]
    async with sessionmaker() as session:
        assert await requests_today(session, ANN, TODAY) == 3


async def test_a_new_day_has_a_fresh_budget(sessionmaker: Sessions) -> None:
    await new_user(sessionmaker)
    for _ in range(3):
        await spend(sessionmaker)
    assert await spend(sessionmaker, day=date(2026, 11, 27))


async def test_concurrent_requests_never_take_more_than_the_budget(
    sessionmaker: Sessions,
) -> None:
    await new_user(sessionmaker)
    taken = await asyncio.gather(*(spend(sessionmaker, limit=4) for _ in range(12)))
    assert taken.count(True) == 4
    async with sessionmaker() as session:
        assert await requests_today(session, ANN, TODAY) == 4


async def test_forgetting_the_user_erases_their_usage(sessionmaker: Sessions) -> None:
    await new_user(sessionmaker)
    await spend(sessionmaker)
    async with sessionmaker() as session, session.begin():
        await delete_user(session, ANN)
    async with sessionmaker() as session:
        assert await requests_today(session, ANN, TODAY) == 0
