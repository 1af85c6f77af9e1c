"""Creating and dropping throw-away databases for tests (SQLite files, PostgreSQL).

Reusable outside tests/db: import these helpers, or copy the fixtures in conftest.py.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

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
    """Create a uniquely named, empty database; yield its URL; drop it afterwards.

    `admin_url` must be able to CREATE DATABASE (e.g. the `postgres` database as the
    `postgres` user). Dropped WITH (FORCE), so connections a failing test leaked cannot
    keep it alive.
    """
    name = f"{TEST_DATABASE_PREFIX}{uuid.uuid4().hex}"
    await _execute_autocommit(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _execute_autocommit(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _execute_autocommit(admin_url: str, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()
