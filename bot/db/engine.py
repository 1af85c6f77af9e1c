"""Engine and session factories for SQLite (embedded, the default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import Pool
from sqlalchemy.util import asbool

from bot.config import sqlite_file

log = logging.getLogger(__name__)

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
# Files SQLite keeps next to the database; it creates them with the database's own mode.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIRECTORY_MODE = 0o700
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
        engine = _create_sqlite_engine(parsed, pragmas, options)
    else:
        engine = _create_async_engine(parsed, pool_pre_ping=True, **options)
    event.listen(engine.sync_engine, "handle_error", _recycle_read_only_connections)
    return engine


# SQLSTATE 25006: a write in a read-only transaction (a server switched to read-only, a hot
# standby after a failover, `default_transaction_read_only`).
_PG_READ_ONLY = "25006"
# SQLite's words for SQLITE_READONLY and its extended codes (the file or its directory
# lost write permission, or the WAL files cannot be written).
_SQLITE_READ_ONLY = "readonly database"


def is_read_only_error(error: BaseException) -> bool:
    """A write refused because the connection can only read (`error` as SQLAlchemy raises
    it, or the driver's own)."""
    original = getattr(error, "orig", None) or error
    if getattr(original, "pgcode", None) == _PG_READ_ONLY:
        return True
    return _SQLITE_READ_ONLY in str(original).lower()


def is_transient_database_error(error: BaseException) -> bool:
    """A database failure that a later attempt of the same work may not meet: the server
    or file refused writes, a connection broke, the pool ran dry, a lock was held too
    long. Errors in what was asked (a constraint, a missing column, bad SQL) are not:
    asking again would fail the same way."""
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection came free
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated or is_read_only_error(error):
            return True
        if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
            text = str(error.orig).lower()
            # SQLite reports a missing table or column as OperationalError too.
            return "no such" not in text and "syntax error" not in text
        return False
    # The driver failing to reach the server before SQLAlchemy could wrap anything
    # (asyncpg raises OSError when every address of the host refused).
    return isinstance(error, OSError | TimeoutError)


def _recycle_read_only_connections(context: ExceptionContext) -> None:
    # A read-only connection stays read-only after the database is writable again (the
    # setting is taken when the session starts, and SQLite decides when the file is
    # opened), and pre-ping cannot see it: a ping only reads. Treating the error as a
    # disconnect drops this connection and every other one the pool holds, so the next
    # attempts start fresh sessions that see the database as it is now.
    if is_read_only_error(context.original_exception):
        context.is_disconnect = True


def _create_sqlite_engine(
    url: URL, pragmas: tuple[str, ...], options: dict[str, Any]
) -> AsyncEngine:
    path = sqlite_file(url)
    if path is not None:
        uri = asbool(url.query.get("uri", False))
        # An SQLite URI may ask for an existing file only (mode=ro or rw).
        prepare_private_sqlite_file(path, create=not uri or url.query.get("mode", "rwc") == "rwc")
    # isolation_level=None stops the sqlite3 driver from issuing its own deferred BEGIN;
    # the "begin" listener below issues BEGIN IMMEDIATE instead.
    connect_args = {"isolation_level": None}
    engine = _create_async_engine(url, connect_args=connect_args, **options)
    event.listen(engine.sync_engine, "connect", _pragma_setter(pragmas))
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def prepare_private_sqlite_file(path: Path, *, create: bool = True) -> None:
    """Keep the database to the bot's own system user: directories created on the way
    0700, the database file 0600, and the -wal/-shm/-journal files too (SQLite creates
    them with the database's mode; ones left from before are tightened here).

    Directories that already exist are left alone: the operator chose them.
    """
    make_private_directories(path.parent)
    if create:
        # O_EXCL: only a file nobody has open yet. Closing a descriptor of a database this
        # process already uses would drop the process's SQLite locks on it.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    for file in (path, *(path.with_name(path.name + side) for side in SQLITE_SIDE_FILES)):
        make_private_file(file)


def make_private_directories(directory: Path) -> None:
    """Create `directory` and any missing parents, each 0700."""
    missing: list[Path] = []
    while not directory.exists():
        missing.append(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=PRIVATE_DIRECTORY_MODE)
        except FileExistsError:
            continue


def make_private_file(path: Path) -> None:
    """Take group and other access away from an existing file of the database."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700)  # the owner keeps what they had
    except FileNotFoundError:
        return
    except PermissionError:
        log.warning("%s is readable by other users and not ours to change", path)


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
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (handlers render them after)."""
    return async_sessionmaker(engine, expire_on_commit=False)
