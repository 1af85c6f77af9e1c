"""One bot process per SQLite file: an exclusive lock on a file next to the database.

The lock belongs to the real file, however the URL spells it: a relative or absolute
path, a symlink, a driver option such as `?timeout=30` or an SQLite `file:` URI all name
the same database (bot.config.sqlite_file reads the URL; the path is resolved here), so
they all meet at the same lock file, and flock locks its inode.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import IO

from bot.db.engine import PRIVATE_FILE_MODE, make_private_directories, make_private_file


class InstanceAlreadyRunningError(RuntimeError):
    """Another bot process holds the database's instance lock."""


class InstanceLock:
    """An exclusive flock on `<database>.lock`, held for the life of the process.

    The kernel drops it when the process ends, however it ends (kill -9 included), so a
    crashed bot never leaves a stale lock behind.
    """

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def acquire_instance_lock(db_path: Path) -> InstanceLock:
    """Make sure this is the only bot process using the SQLite database at `db_path`.

    SQLite has no SKIP LOCKED: two processes sweeping one file would each believe they
    own the rows a lease protects. Raises InstanceAlreadyRunningError with a clear message.
    """
    db_path = db_path.resolve()
    lock_path = db_path.with_name(db_path.name + ".lock")
    make_private_directories(lock_path.parent)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    handle = os.fdopen(descriptor, "r+", encoding="utf-8")
    make_private_file(lock_path)  # made before the files were kept private
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(handle)
        handle.close()
        raise InstanceAlreadyRunningError(
            f"another Sourcing Guard process{holder} is already using {db_path} "
            f"(lock file {lock_path}). With SQLite only one bot process may run; "
            "stop the other one, or use PostgreSQL to run several."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return InstanceLock(lock_path, handle)


def _read_holder(handle: IO[str]) -> str:
    handle.seek(0)
    pid = handle.read().strip()
    return f" (pid {pid})" if pid.isdigit() else ""
