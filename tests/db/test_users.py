"""The users query functions, the UTC timestamp type and the SQLite engine settings."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrations import upgrade_to_head
from bot.db.models import User
from bot.db.users import (
    arrive,
    count_users,
    delete_user,
    get_user,
    set_blocked,
    set_language,
    set_timezone,
    touch_user,
)

from .databases import sqlite_file_url

Sessions = async_sessionmaker[AsyncSession]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=5)
BEIJING = timezone(timedelta(hours=8))
BIG_ID = 2**52 - 1  # Telegram ids need up to 52 bits, far beyond 32-bit integers
USER_ID = 5_000_000_001  # above 2**32


async def stored(sessionmaker: Sessions, telegram_id: int) -> User | None:
    """The user as stored, read in a fresh session so nothing comes from the identity map."""
    async with sessionmaker() as session:
        return await get_user(session, telegram_id)


async def touch(
    sessionmaker: Sessions, telegram_id: int, *, language: str | None = None, now: datetime = NOW
) -> User:
    async with sessionmaker.begin() as session:
        return await touch_user(session, telegram_id, language=language, now=now)


def assert_aware_utc(value: datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is UTC


# -- touch_user ------------------------------------------------------------------------


async def test_touch_user_creates_the_user_on_first_contact(sessionmaker: Sessions) -> None:
    returned = await touch(sessionmaker, USER_ID, language="en")
    assert returned.telegram_id == USER_ID

    user = await stored(sessionmaker, USER_ID)
    assert user is not None
    assert (user.language, user.timezone, user.blocked, user.blocked_at) == (
        "en",
        None,
        False,
        None,
    )
    assert user.created_at == NOW
    assert user.last_seen_at == NOW


async def test_touch_user_moves_last_seen_and_keeps_created_at(sessionmaker: Sessions) -> None:
    await touch(sessionmaker, USER_ID)
    returned = await touch(sessionmaker, USER_ID, now=LATER)
    assert returned.last_seen_at == LATER

    user = await stored(sessionmaker, USER_ID)
    assert user is not None
    assert (user.created_at, user.last_seen_at) == (NOW, LATER)
    async with sessionmaker() as session:
        assert await count_users(session) == 1


async def test_touch_user_fills_an_empty_language_but_never_overrides_one(
    sessionmaker: Sessions,
) -> None:
    async def language_after_touch(language: str | None) -> str | None:
        await touch(sessionmaker, USER_ID, language=language)
        user = await stored(sessionmaker, USER_ID)
        assert user is not None
        return user.language

    assert await language_after_touch(None) is None
    assert await language_after_touch("ru") == "ru"
    assert await language_after_touch("en") == "ru"
    assert await language_after_touch(None) == "ru"

    async with sessionmaker.begin() as session:
        await set_language(session, USER_ID, None)
    assert await language_after_touch("zh-hans") == "zh-hans"


async def test_touch_user_returns_fresh_values_for_an_object_already_loaded(
    sessionmaker: Sessions,
) -> None:
    await touch(sessionmaker, USER_ID)
    async with sessionmaker.begin() as session:
        loaded = await get_user(session, USER_ID)
        touched = await touch_user(session, USER_ID, language="de", now=LATER)
        assert touched is loaded
        assert (touched.last_seen_at, touched.language) == (LATER, "de")


async def test_touch_user_clears_blocked(sessionmaker: Sessions) -> None:
    await touch(sessionmaker, USER_ID)
    async with sessionmaker.begin() as session:
        await set_blocked(session, USER_ID, True, NOW)
    await touch(sessionmaker, USER_ID, now=LATER)

    user = await stored(sessionmaker, USER_ID)
    assert user is not None
    assert (user.blocked, user.blocked_at) == (False, None)


async def test_arrival_tells_a_user_who_had_blocked_the_bot_and_unblocks_them(
    sessionmaker: Sessions,
) -> None:
    await touch(sessionmaker, USER_ID, language="ru")
    async with sessionmaker.begin() as session:
        await set_blocked(session, USER_ID, True, NOW)
    async with sessionmaker.begin() as session:
        back = await arrive(session, USER_ID, language="en", now=LATER)
    async with sessionmaker.begin() as session:
        again = await arrive(session, USER_ID, language="en", now=LATER)

    assert (back.was_blocked, again.was_blocked) == (True, False)
    assert back.language == "ru"  # the stored choice, not the phone's hint
    user = await stored(sessionmaker, USER_ID)
    assert user is not None
    assert (user.blocked, user.blocked_at, user.last_seen_at) == (False, None, LATER)


async def test_arrival_creates_a_new_user(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        first = await arrive(session, BIG_ID, language="de", now=NOW)

    assert (first.language, first.timezone, first.keep_texts, first.was_blocked) == (
        "de",
        None,
        False,
        False,
    )
    user = await stored(sessionmaker, BIG_ID)
    assert user is not None
    assert (user.created_at, user.last_seen_at) == (NOW, NOW)


# -- timestamps and ids ----------------------------------------------------------------


async def test_timestamps_come_back_as_aware_utc(sessionmaker: Sessions) -> None:
    beijing_noon = datetime(2026, 11, 20, 12, 0, tzinfo=BEIJING)
    await touch(sessionmaker, USER_ID, now=beijing_noon)
    async with sessionmaker.begin() as session:
        await set_blocked(session, USER_ID, True, beijing_noon)

    user = await stored(sessionmaker, USER_ID)
    assert user is not None
    for value in (user.created_at, user.last_seen_at, user.blocked_at):
        assert_aware_utc(value)
        assert value == datetime(2026, 11, 20, 4, 0, tzinfo=UTC)


async def test_naive_datetimes_are_refused(sessionmaker: Sessions) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await touch(sessionmaker, USER_ID, now=datetime(2026, 3, 1, 12, 0))
    assert await stored(sessionmaker, USER_ID) is None


async def test_telegram_ids_beyond_32_bits_are_kept_exactly(sessionmaker: Sessions) -> None:
    await touch(sessionmaker, BIG_ID, language="en")
    await touch(sessionmaker, BIG_ID - 1, language="ru")

    big, neighbour = await stored(sessionmaker, BIG_ID), await stored(sessionmaker, BIG_ID - 1)
    assert big is not None
    assert neighbour is not None
    assert (big.telegram_id, big.language) == (BIG_ID, "en")
    assert (neighbour.telegram_id, neighbour.language) == (BIG_ID - 1, "ru")


# -- setters ---------------------------------------------------------------------------


async def test_setters_change_only_their_own_field(sessionmaker: Sessions) -> None:
    await touch(sessionmaker, USER_ID, language="en")
    async with sessionmaker.begin() as session:
        await set_language(session, USER_ID, "ru")
        await set_timezone(session, USER_ID, "Asia/Shanghai")

    user = await stored(sessionmaker, USER_ID)
    assert user is not None
    assert (user.language, user.timezone, user.last_seen_at) == ("ru", "Asia/Shanghai", NOW)


async def test_setters_return_none_for_unknown_users(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        assert await set_language(session, USER_ID, "en") is None
        assert await set_timezone(session, USER_ID, "Europe/Berlin") is None
        assert await set_blocked(session, USER_ID, True, NOW) is None
        assert await count_users(session) == 0


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "Europe/berlin ", "../etc/passwd", ""])
async def test_set_timezone_rejects_unknown_zones(sessionmaker: Sessions, name: str) -> None:
    await touch(sessionmaker, USER_ID)
    async with sessionmaker.begin() as session:
        with pytest.raises(ValueError, match="unknown time zone"):
            await set_timezone(session, USER_ID, name)


async def test_set_blocked_keeps_the_first_block_time_and_clears_it_on_unblock(
    sessionmaker: Sessions,
) -> None:
    await touch(sessionmaker, USER_ID)
    for blocked, when in ((True, NOW), (True, LATER)):
        async with sessionmaker.begin() as session:
            await set_blocked(session, USER_ID, blocked, when)
    user = await stored(sessionmaker, USER_ID)
    assert user is not None
    assert (user.blocked, user.blocked_at) == (True, NOW)
    async with sessionmaker() as session:
        assert await count_users(session) == 1
        assert await count_users(session, include_blocked=False) == 0

    async with sessionmaker.begin() as session:
        await set_blocked(session, USER_ID, False, LATER)
    user = await stored(sessionmaker, USER_ID)
    assert user is not None
    assert (user.blocked, user.blocked_at) == (False, None)


# -- delete_user -----------------------------------------------------------------------


async def test_delete_user_removes_only_that_user(sessionmaker: Sessions) -> None:
    await touch(sessionmaker, USER_ID)
    await touch(sessionmaker, BIG_ID)
    async with sessionmaker.begin() as session:
        assert await delete_user(session, USER_ID) is True
    async with sessionmaker.begin() as session:
        assert await delete_user(session, USER_ID) is False
        assert await get_user(session, USER_ID) is None
        assert await get_user(session, BIG_ID) is not None
        assert await count_users(session) == 1


async def test_delete_user_cascades_to_rows_that_reference_the_user(
    engine: AsyncEngine, sessionmaker: Sessions
) -> None:
    # Stands in for the later tables (orders, reminders), which must reference users
    # the same way.
    metadata = sa.MetaData()
    sa.Table("users", metadata, sa.Column("telegram_id", sa.BigInteger, primary_key=True))
    notes = sa.Table(
        "test_notes",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.BigInteger, sa.ForeignKey("users.telegram_id", ondelete="CASCADE")
        ),
    )
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all, tables=[notes])
    await touch(sessionmaker, USER_ID)
    await touch(sessionmaker, BIG_ID)
    async with sessionmaker.begin() as session:
        await session.execute(sa.insert(notes), [{"user_id": USER_ID}, {"user_id": BIG_ID}])

    async with sessionmaker.begin() as session:
        await delete_user(session, USER_ID)
    async with sessionmaker() as session:
        remaining = (await session.scalars(sa.select(notes.c.user_id))).all()
    assert remaining == [BIG_ID]


# -- SQLite engine ---------------------------------------------------------------------


@pytest.fixture
async def migrated_sqlite_url(sqlite_url: str) -> str:
    await upgrade_to_head(sqlite_url)
    return sqlite_url


def sqlite_file(url: str) -> str:
    return url.removeprefix("sqlite+aiosqlite:///")


async def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(
    migrated_sqlite_url: str,
) -> None:
    engine = create_engine(migrated_sqlite_url)
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        await engine.dispose()
    # synchronous: 1 is NORMAL
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "synchronous": 1,
    }


async def test_sqlite_transactions_take_the_write_lock_at_begin(migrated_sqlite_url: str) -> None:
    engine = create_engine(migrated_sqlite_url)
    other = sqlite3.connect(sqlite_file(migrated_sqlite_url), timeout=0, isolation_level=None)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await get_user(session, USER_ID)  # only a read, yet the lock is held
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
    finally:
        other.close()
        await engine.dispose()


async def test_sqlite_concurrent_writers_never_hit_database_is_locked(
    migrated_sqlite_url: str,
) -> None:
    # Two engines on one file stand in for two processes (the bot and a CLI command).
    engines = [create_engine(migrated_sqlite_url) for _ in range(2)]
    makers = [create_sessionmaker(engine) for engine in engines]
    writers, rounds = 20, 5

    async def writer(number: int) -> None:
        for round_ in range(rounds):
            # Read, then write, in one transaction: the pattern that fails at once with
            # "database is locked" when transactions begin deferred.
            async with makers[number % 2].begin() as session:
                await count_users(session)
                await touch_user(session, USER_ID + number, now=NOW + timedelta(minutes=round_))

    try:
        await asyncio.gather(*(writer(number) for number in range(writers)))
        async with makers[0]() as session:
            assert await count_users(session) == writers
            last_seen = await session.scalars(sa.select(User.last_seen_at).distinct())
            assert last_seen.all() == [NOW + timedelta(minutes=rounds - 1)]
    finally:
        for engine in engines:
            await engine.dispose()


async def test_sqlite_engine_creates_the_database_directory(tmp_path: Path) -> None:
    url = sqlite_file_url(tmp_path / "data" / "nested")
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
    finally:
        await engine.dispose()
    assert is_file(sqlite_file(url))


def is_file(path: str) -> bool:
    return Path(path).is_file()
