"""The SQLite file as an operator deploys it: one bot process per file however the URL
spells it, and the data private to the bot's own system user."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.db.engine import create_engine
from bot.runtime.instance_lock import (
    InstanceAlreadyRunningError,
    InstanceLock,
    acquire_instance_lock,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(*paths: Path) -> dict[str, int]:
    """Permission bits by name; a file that does not exist shows as 0."""
    return {path.name: mode(path) if path.exists() else 0 for path in paths}


def files_left_by_an_older_version(directory: Path) -> list[Path]:
    directory.chmod(0o755)  # a directory the operator chose: left as it is
    names = ("bot.db", "bot.db-wal", "bot.db-shm", "bot.db-journal", "bot.db.lock")
    for name in names:
        (directory / name).touch(mode=0o644)  # an empty file is an empty database
    return [directory / name for name in names]


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """A umask that would leave new files 0644 and directories 0755."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def lock_for(database_url: str) -> InstanceLock:
    path = Settings(database_url=database_url).sqlite_path()
    assert path is not None
    return acquire_instance_lock(path)


@pytest.mark.parametrize(
    "second",
    [
        "sqlite+aiosqlite:///{data}/bot.db?timeout=30",
        "sqlite+aiosqlite:///file:data/bot.db?mode=rwc&uri=true",
        "sqlite+aiosqlite:///file:{data}/b%6Ft.db?uri=true",
        "sqlite:///data/bot.db",
        "sqlite+aiosqlite:///./data/../data/bot.db",
        "sqlite+aiosqlite:///{link}/bot.db",
    ],
    ids=["timeout", "uri", "uri-encoded", "relative", "dotted", "symlink"],
)
def test_a_second_bot_on_the_same_file_is_refused_however_the_url_spells_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: str
) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "link").symlink_to(data)
    first = lock_for(f"sqlite+aiosqlite:///{data}/bot.db")
    try:
        with pytest.raises(InstanceAlreadyRunningError):
            lock_for(second.format(data=data, link=tmp_path / "link"))
    finally:
        first.release()


def test_a_different_file_or_memory_is_not_the_same_database(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    assert settings.sqlite_path() == tmp_path / "bot.db"
    assert Settings(database_url="sqlite+aiosqlite:///:memory:").sqlite_path() is None
    memory = "sqlite+aiosqlite:///file:shared?mode=memory&cache=shared&uri=true"
    assert Settings(database_url=memory).sqlite_path() is None
    other = lock_for(f"sqlite+aiosqlite:///{tmp_path}/other.db")
    lock_for(f"sqlite+aiosqlite:///{tmp_path}/bot.db").release()
    other.release()


async def test_the_data_directory_and_every_database_file_are_private(
    tmp_path: Path, usual_umask: None
) -> None:
    data = tmp_path / "srv" / "data"
    database = data / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    lock = acquire_instance_lock(database)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("create table notes (body text)"))
            await connection.execute(text("insert into notes values ('secret')"))
            files = modes(*(data / f"bot.db{end}" for end in ("", "-wal", "-shm", ".lock")))
            assert files == {
                "bot.db": 0o600,
                "bot.db-wal": 0o600,
                "bot.db-shm": 0o600,
                "bot.db.lock": 0o600,
            }
        assert modes(data, data.parent) == {"data": 0o700, "srv": 0o700}
    finally:
        lock.release()
        await engine.dispose()


async def test_files_left_readable_by_an_older_version_are_made_private(
    tmp_path: Path, usual_umask: None
) -> None:
    leftover = files_left_by_an_older_version(tmp_path)
    database = tmp_path / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    acquire_instance_lock(database).release()
    try:
        assert modes(*leftover) == {path.name: 0o600 for path in leftover}
        assert mode(tmp_path) == 0o755
    finally:
        await engine.dispose()
