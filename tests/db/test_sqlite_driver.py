"""The SQLite driver (bot/db/sqlite_driver.py): statements on the loop's thread, and a
transaction that must wait for the write lock waits on a thread while the loop runs on."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import User
from tests.db.databases import SqliteTemplate


@pytest.fixture
async def sqlite_engine(tmp_path: Path, sqlite_template: SqliteTemplate) -> AsyncEngine:
    engine = create_engine(sqlite_template.copy_to(tmp_path))
    yield engine  # type: ignore[misc]
    await engine.dispose()


async def test_statements_need_no_thread(sqlite_engine: AsyncEngine) -> None:
    threads_before = threading.active_count()

    async with create_sessionmaker(sqlite_engine).begin() as session:
        await session.scalar(select(User.telegram_id).limit(1))
        await session.execute(text("SELECT 1"))
    async with sqlite_engine.connect() as connection:  # the Core path as well
        await connection.execute(text("SELECT 1"))

    # aiosqlite ran each connection on a thread of its own, each call a hop to it.
    assert threading.active_count() == threads_before


async def test_a_transaction_waiting_for_the_write_lock_lets_the_holder_finish(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(sqlite_engine)
    holding = asyncio.Event()
    release = asyncio.Event()
    order: list[str] = []

    async def holder() -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))
            holding.set()
            await release.wait()  # a Telegram call half-way through a transaction
            order.append("holder committed")

    async def waiter() -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE comes first
            order.append("waiter has the lock")

    holding_task = asyncio.create_task(holder())
    await holding.wait()
    waiting_task = asyncio.create_task(waiter())
    for _ in range(20):
        await asyncio.sleep(0.01)  # the loop turns while the waiter waits on its thread
    assert order == []
    release.set()
    async with asyncio.timeout(5):
        await asyncio.gather(holding_task, waiting_task)
    assert order == ["holder committed", "waiter has the lock"]


async def test_a_cancelled_wait_for_the_lock_leaves_no_lock_behind(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(sqlite_engine)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))
            holding.set()
            await release.wait()

    async def waiter() -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))

    holding_task = asyncio.create_task(holder())
    await holding.wait()
    waiting_task = asyncio.create_task(waiter())
    await asyncio.sleep(0.05)
    waiting_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting_task
    release.set()
    await holding_task
    # The abandoned BEGIN took the lock on its thread after the holder committed; it must
    # have been given back, or this would wait out the busy timeout and fail.
    async with asyncio.timeout(3), sessions.begin() as session:
        await session.execute(text("SELECT 1"))


async def test_a_transaction_runs_in_the_callers_task(sqlite_engine: AsyncEngine) -> None:
    loop = asyncio.get_running_loop()
    started: list[object] = []
    previous = loop.get_task_factory()

    def count(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        started.append(coro)
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(count)
    try:
        async with create_sessionmaker(sqlite_engine).begin() as session:
            await session.execute(text("SELECT 1"))
        async with create_sessionmaker(sqlite_engine)() as session:
            await session.execute(text("SELECT 1"))
    finally:
        loop.set_task_factory(previous)
    # SQLAlchemy's own context managers commit and close in a shielded task each.
    assert started == []
