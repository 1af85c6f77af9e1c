"""Creating and dropping throw-away databases for tests (SQLite files, PostgreSQL).

Reusable outside tests/db: import these helpers, or copy the fixtures in conftest.py.

Every test gets a database of its own. One at the head migration is a copy of a template
migrated once per test process: running the migrations takes several times longer than
copying their result, and most tests need a migrated database. Tests of the migrations
themselves start from empty databases.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.engine import make_url

from bot.db import scratch
from bot.db.migrations import alembic_config, upgrade_to_head

POSTGRES_ENV = "TEST_POSTGRES_URL"
POSTGRES_SKIP_REASON = (
    f"set {POSTGRES_ENV}=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres "
    "to run PostgreSQL tests"
)
TEST_DATABASE_PREFIX = "sg_test_"


def sqlite_file_url(directory: Path, name: str = "sourcing-guard.db") -> str:
    """A SQLite URL for a file in `directory` (e.g. pytest's tmp_path)."""
    return f"sqlite+aiosqlite:///{(directory / name).resolve()}"


def postgres_admin_url() -> str | None:
    """The admin DSN from TEST_POSTGRES_URL, or None when PostgreSQL tests are off."""
    return os.environ.get(POSTGRES_ENV) or None


@asynccontextmanager
async def temporary_postgres_database(admin_url: str) -> AsyncIterator[str]:
    """A uniquely named, empty database for one test, dropped afterwards."""
    async with scratch.temporary_postgres_database(admin_url, TEST_DATABASE_PREFIX) as url:
        yield url


@asynccontextmanager
async def migrated_postgres_database() -> AsyncIterator[str]:
    """A throw-away PostgreSQL database at the head migration, copied from this process's
    template; skips the test when TEST_POSTGRES_URL is unset."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    template = await _postgres_template(admin_url)
    async with scratch.temporary_postgres_database(
        admin_url, TEST_DATABASE_PREFIX, template=template
    ) as url:
        yield url


# Admin URL → the template database this process migrated on that server. Created on first
# use (a run without PostgreSQL tests creates none), dropped by `drop_postgres_templates`.
_postgres_templates: dict[str, str] = {}


async def _postgres_template(admin_url: str) -> str:
    name = _postgres_templates.get(admin_url)
    if name is None:
        name = f"{TEST_DATABASE_PREFIX}template_{uuid.uuid4().hex}"
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        await scratch.execute_autocommit(admin_url, f'CREATE DATABASE "{name}"')
        try:
            # Migrations close their connection when done: the template is free to copy.
            await upgrade_to_head(url)
        except BaseException:
            await scratch.execute_autocommit(admin_url, f'DROP DATABASE "{name}" WITH (FORCE)')
            raise
        _postgres_templates[admin_url] = name
    return name


async def drop_postgres_templates() -> None:
    while _postgres_templates:
        admin_url, name = _postgres_templates.popitem()
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        await scratch.execute_autocommit(admin_url, drop)


class SqliteTemplate:
    """A SQLite file at the head migration, migrated once; each test gets a copy."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def migrated(cls, path: Path) -> SqliteTemplate:
        # Alembic's environment runs its own event loop: give it a thread without one, as
        # this may be called while a test's loop is running.
        config = alembic_config(sqlite_file_url(path.parent, path.name))
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(command.upgrade, config, "head").result()
        return cls(path)

    def copy_to(self, directory: Path, name: str = "sourcing-guard.db") -> str:
        """The URL of a new database file in `directory`, at the head migration."""
        target = directory / name
        # SQLite's online backup: a consistent copy whatever journal the template has.
        with (
            closing(sqlite3.connect(self.path)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return sqlite_file_url(directory, name)
