"""SQLite for an asyncio bot without a thread hop per call: the statements run on the
event loop's thread, and only the one step that can wait goes to a thread.

aiosqlite, which SQLAlchemy's `sqlite+aiosqlite` dialect drives, runs every DB-API call on
the connection's own thread: opening a cursor, executing, fetching and closing are four
round trips to it, each a queue put, a thread switch and a loop wake-up. An update made
38 to 94 of them, and they were half of the bot's CPU per update (BENCHMARKS.md).

The calls of a local SQLite file take microseconds and wait for nobody, with one
exception, which decides the design. Every transaction starts with BEGIN IMMEDIATE
(bot/db/engine.py), taking SQLite's single write lock, and it may have to wait for it: for
another process, or for another coroutine of this one whose transaction is awaiting
something (a Telegram call) half-way. Waiting for it on the loop's thread would be a
deadlock: the holder could never go on to commit. So BEGIN IMMEDIATE is first tried with
no wait at all; only if the lock is taken does it go to a thread, which waits for it up to
the busy timeout while the loop runs on. Once the lock is held, nothing else in the
transaction waits for anyone: WAL readers never block and are never blocked, and the
writer holds the only lock there is. Every other call (execute, fetch, commit, rollback)
runs where it is called, with the connection's cursor as sqlite3 makes it.

What runs on the loop's thread is then SQLite's own work, no more than aiosqlite's thread
did with it; what it does not do is wait. One caveat: with `synchronous=NORMAL` the commit
that crosses the WAL's auto-checkpoint size (1,000 pages, about 4 MB of writes) syncs the
files, a few milliseconds once in thousands of updates.

The URL keeps its `sqlite+aiosqlite://` spelling; bot.db.engine.create_engine picks this
dialect for it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine.interfaces import AdaptedConnection
from sqlalchemy.util.concurrency import await_only, in_greenlet

DRIVER = "inline"
# Threads that only wait for the write lock; as many as the pool has connections, so a
# waiter never queues behind another for a thread.
_LOCK_WAITERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="sqlite-lock-wait")
# What is_disconnect (pysqlite's) recognises: the pool throws such a connection away.
_INTERRUPTED = "Cannot operate on a closed database: a wait for its lock was interrupted"


class _Ready:
    """An awaitable that is done at once: awaiting it does not give the loop a turn."""

    def __await__(self) -> Generator[Any, None, None]:
        return iter(())  # type: ignore[return-value]


_READY = _Ready()


def _seen_as_async() -> None:
    # AsyncConnection.execute insists that the driver awaited something (it takes a call
    # that never did for a sync driver by mistake); a greenlet switch to nothing shows it.
    if in_greenlet():
        await_only(_READY)


class _Cursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        _seen_as_async()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> _Cursor:
        _seen_as_async()
        return super().executemany(sql, parameters)

    async def _async_soft_close(self) -> None:
        # SQLAlchemy's asyncio results call it; rows are fetched already.
        return


class InlineConnection(AdaptedConnection):
    """A sqlite3 connection seen through SQLAlchemy's asyncio adaptation (module docstring)."""

    __slots__ = ("_busy_timeout_ms", "_has_turn", "_sqlite", "_waiting", "dbapi")

    def __init__(self, dbapi: InlineDBAPI, connection: sqlite3.Connection, timeout: float):
        self.dbapi = dbapi
        self._sqlite = connection
        self._connection = connection  # type: ignore[assignment] # the driver connection
        self._busy_timeout_ms = round(timeout * 1000)
        # The thread's BEGIN IMMEDIATE, while one is under way.
        self._waiting: Future[Any] | None = None
        # This connection's transaction holds the process's writer turn (InlineDBAPI).
        self._has_turn = False

    @property
    def isolation_level(self) -> str | None:
        return self._sqlite.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._sqlite.isolation_level = value  # type: ignore[assignment]

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._sqlite.create_function(*args, **kwargs)

    def cursor(self, server_side: bool = False) -> sqlite3.Cursor:
        self._usable()
        return self._sqlite.cursor(_Cursor)

    def execute(self, *args: Any) -> sqlite3.Cursor:
        self._usable()
        return self._sqlite.execute(*args)

    def commit(self) -> None:
        self._usable()
        try:
            self._sqlite.commit()
        finally:
            self._end_turn()

    def rollback(self) -> None:
        if self._waiting is None:
            try:
                self._sqlite.rollback()
            finally:
                self._end_turn()
        # else: the thread's BEGIN still runs; its end rolls back (`_abandon`).

    def close(self) -> None:
        self._end_turn()
        if self._waiting is None:
            self._sqlite.close()
        else:
            self._waiting.add_done_callback(lambda _: self._sqlite.close())

    def begin_immediate(self) -> None:
        """BEGIN IMMEDIATE, after this process's earlier writers (`InlineDBAPI`): at once
        if no other process holds the write lock, else waiting for it on a thread."""
        self._usable()
        await_only(self.dbapi.take_turn(self._busy_timeout_ms / 1000))
        self._has_turn = True
        try:
            self._begin()
        except BaseException:
            self._end_turn()
            raise

    def _begin(self) -> None:
        connection = self._sqlite
        connection.execute("PRAGMA busy_timeout=0")
        try:
            connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
        finally:
            connection.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        waiting = _LOCK_WAITERS.submit(connection.execute, "BEGIN IMMEDIATE")
        self._waiting = waiting
        try:
            await_only(asyncio.wrap_future(waiting))
        except BaseException:
            if waiting.done():
                self._waiting = None
            else:
                # Cancelled while the thread still waits: the lock it may yet take must
                # not stay held by a connection nobody uses.
                waiting.add_done_callback(self._abandon)
            raise
        self._waiting = None

    @property
    def interrupted(self) -> bool:
        """A BEGIN still runs on its thread for a transaction that was given up: the pool
        must not hand this connection out again (bot.db.engine invalidates it)."""
        return self._waiting is not None

    def _abandon(self, waiting: Future[Any]) -> None:
        if waiting.exception() is None:
            self._sqlite.rollback()

    def _end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            self.dbapi.writers.release()

    def _usable(self) -> None:
        if self._waiting is not None:
            raise sqlite3.ProgrammingError(_INTERRUPTED)


class InlineDBAPI:
    """The DB-API module SQLAlchemy sees: sqlite3's, connecting to `InlineConnection`s.

    One per engine, with the engine's writer queue: its transactions take turns at the
    write lock in an asyncio.Lock, first come first served, before they ask SQLite. Left
    to SQLite, the connections of one process would poll for the lock on threads (its busy
    handler sleeps 1 to 100 ms between tries), and a transaction that got it on a thread
    would hold it until the loop came round to resume it, while every other one failed its
    attempt and joined the threads: a convoy. In the queue, SQLite's lock is only ever
    contested by other processes.
    """

    paramstyle = "qmark"
    has_stop = False  # SQLiteDialect_aiosqlite asks; nothing to stop without a thread

    def __init__(self) -> None:
        for name in (
            "DatabaseError",
            "Error",
            "IntegrityError",
            "NotSupportedError",
            "OperationalError",
            "ProgrammingError",
            "InterfaceError",
            "sqlite_version",
            "sqlite_version_info",
            "PARSE_COLNAMES",
            "PARSE_DECLTYPES",
            "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name))
        self.sqlite = sqlite3
        self.writers = asyncio.Lock()

    async def take_turn(self, timeout: float) -> None:
        """Wait for this engine's earlier writers; as SQLite would, give up after the busy
        timeout with "database is locked" (a transaction waiting for one that waits for
        it, in the same task, ends that way rather than hanging)."""
        if not self.writers.locked():
            await self.writers.acquire()  # free: returns without giving the loop a turn
            return
        try:
            async with asyncio.timeout(timeout):
                await self.writers.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None

    def connect(self, *args: Any, **kwargs: Any) -> InlineConnection:
        kwargs.pop("async_fallback", None)
        timeout = float(kwargs.pop("timeout", 5.0))
        # Used from the loop's thread and, for a BEGIN that waits, from a waiter thread;
        # never from two at once (`InlineConnection._waiting`).
        kwargs["check_same_thread"] = False
        connection = sqlite3.connect(*args, timeout=timeout, **kwargs)  # type: ignore[call-overload]
        return InlineConnection(self, connection, timeout)


class SQLiteDialect_inline(SQLiteDialect_aiosqlite):  # noqa: N801 (SQLAlchemy's naming)
    driver = DRIVER
    supports_statement_cache = True
    supports_server_side_cursors = False
    has_terminate = False

    @classmethod
    def import_dbapi(cls) -> Any:
        return InlineDBAPI()

    def do_terminate(self, dbapi_connection: Any) -> None:
        dbapi_connection.close()
