"""Creating and dropping throw-away databases for tests (SQLite files, PostgreSQL).

Reusable outside tests/db: import these helpers, or copy the fixtures in conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.db import scratch
from bot.db.migrations import upgrade_to_head

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
    """A throw-away PostgreSQL database at the head migration; skips the test when
    TEST_POSTGRES_URL is unset."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    async with temporary_postgres_database(admin_url) as url:
        await upgrade_to_head(url)
        yield url
