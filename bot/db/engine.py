"""Engine and session factories for SQLite (embedded, the default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import registry
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import Pool

from bot.db.sqlite_driver import DRIVER as SQLITE_DRIVER
from bot.db.sqlite_driver import InlineConnection

registry.register(f"sqlite.{SQLITE_DRIVER}", "bot.db.sqlite_driver", "SQLiteDialect_inline")

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_PRAGMAS = (
    # Readers and the writer stop blocking each other.
    "PRAGMA journal_mode=WAL",
    # SQLite ships with foreign keys off; ON DELETE CASCADE needs them on.
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    # Safe with WAL (a power cut may lose the last commits, never corrupt the file).
    "PRAGMA synchronous=NORMAL",
)
# Alembic's batch mode recreates tables; with foreign keys on, dropping the old table
# would cascade-delete the rows that reference it. Migrations run with them off.
SQLITE_MIGRATION_PRAGMAS = (
    *(pragma for pragma in SQLITE_PRAGMAS if "foreign_keys" not in pragma),
    "PRAGMA foreign_keys=OFF",
)


def normalise_database_url(url: str) -> URL:
    """Pick the async driver when the URL names none (`postgresql://`, `sqlite:///`)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    if parsed.drivername == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    return parsed


def create_engine(
    url: str, *, sqlite_foreign_keys: bool = True, poolclass: type[Pool] | None = None
) -> AsyncEngine:
    """An async engine for `url`, configured for safe concurrent use.

    `sqlite_foreign_keys=False` is for migrations only (see SQLITE_MIGRATION_PRAGMAS).
    """
    parsed = normalise_database_url(url)
    options: dict[str, Any] = {}
    if poolclass is not None:
        options["poolclass"] = poolclass
    if parsed.get_backend_name() == "sqlite":
        pragmas = SQLITE_PRAGMAS if sqlite_foreign_keys else SQLITE_MIGRATION_PRAGMAS
        return _create_sqlite_engine(parsed, pragmas, options)
    return _create_async_engine(parsed, pool_pre_ping=True, **options)


def _create_sqlite_engine(
    url: URL, pragmas: tuple[str, ...], options: dict[str, Any]
) -> AsyncEngine:
    _ensure_parent_directory(url)
    # Statements on the loop's thread, one hop at most per transaction (bot/db/sqlite_driver.py).
    url = url.set(drivername=f"sqlite+{SQLITE_DRIVER}")
    # isolation_level=None stops the sqlite3 driver from issuing its own deferred BEGIN;
    # the "begin" listener below issues BEGIN IMMEDIATE instead.
    connect_args = {"isolation_level": None}
    engine = _create_async_engine(url, connect_args=connect_args, **options)
    event.listen(engine.sync_engine, "connect", _pragma_setter(pragmas))
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _ensure_parent_directory(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)


def _pragma_setter(pragmas: tuple[str, ...]) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    return set_pragmas


def _begin_immediate(connection: Connection) -> None:
    # A deferred transaction that reads and then writes cannot wait for the lock: SQLite
    # fails it at once with "database is locked", whatever busy_timeout says. Taking the
    # write lock up front makes every transaction wait its turn (up to busy_timeout).
    driver_connection = connection.connection.dbapi_connection
    if isinstance(driver_connection, InlineConnection):
        try:
            driver_connection.begin_immediate()
        except BaseException:
            if driver_connection.interrupted:
                connection.invalidate()
            raise
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (handlers render them after)."""
    if engine.dialect.driver == SQLITE_DRIVER:
        return async_sessionmaker(engine, expire_on_commit=False, class_=_InlineSession)
    return async_sessionmaker(engine, expire_on_commit=False)


class _InlineSession(AsyncSession):
    """A session on the SQLite driver that runs statements in place (bot/db/sqlite_driver.py).

    SQLAlchemy finishes `async with session` and `async with sessions.begin()` in a task
    of its own, shielded, so that a cancellation cannot stop a commit or the connection's
    return to the pool half-way: two tasks for every transaction, a good part of what a
    short one costs. On this driver commit, rollback and close never wait for anything,
    so nothing can cancel them half-way, and they run in the caller's task."""

    def _maker_context_manager(self) -> Any:
        return _InlineBegun(self)

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        await self.close()


class _InlineBegun:
    __slots__ = ("session", "transaction")

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def __aenter__(self) -> AsyncSession:
        self.transaction = self.session.begin()
        await self.transaction.__aenter__()
        return self.session

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        try:
            await self.transaction.__aexit__(type_, value, traceback)
        finally:
            await self.session.close()
