"""Throw-away PostgreSQL databases, for tests and benchmarks that must not touch real data."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


@asynccontextmanager
async def temporary_postgres_database(
    admin_url: str, prefix: str, *, template: str | None = None
) -> AsyncIterator[str]:
    """Create a uniquely named database, empty or a copy of the database `template`
    (which nobody may be connected to meanwhile); yield its URL; drop it afterwards.

    `admin_url` must be able to CREATE DATABASE (e.g. the `postgres` database as the
    `postgres` user). Dropped WITH (FORCE), so connections a failure leaked cannot keep it
    alive.
    """
    name = f"{prefix}{uuid.uuid4().hex}"
    copied = f' TEMPLATE "{template}"' if template else ""
    await execute_autocommit(admin_url, f'CREATE DATABASE "{name}"{copied}')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await execute_autocommit(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def execute_autocommit(admin_url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE cannot run inside one)."""
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()
