"""Database fixtures: every test gets its own fresh database, dropped afterwards.

- `sqlite_url`: a SQLite file in the test's tmp_path.
- `postgres_url`: a new database on the TEST_POSTGRES_URL server (skips when unset).
- `database_url`: parametrised over both, so a test using it runs on each backend.
- `migrated_url`: like `database_url`, at the head migration (a copy of a template).
- `engine` / `sessionmaker`: bot.db engine and session factory on `migrated_url`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.engine import create_engine, create_sessionmaker

from .databases import (
    POSTGRES_SKIP_REASON,
    SqliteTemplate,
    migrated_postgres_database,
    postgres_admin_url,
    sqlite_file_url,
    temporary_postgres_database,
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return sqlite_file_url(tmp_path)


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    async with temporary_postgres_database(admin_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    # Sync on purpose: getfixturevalue cannot run an async fixture from inside a
    # running event loop, and pytest-asyncio runs async fixtures for us here.
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def migrated_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: SqliteTemplate
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sqlite_template.copy_to(tmp_path)
        return
    async with migrated_postgres_database() as url:
        yield url


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)
