"""Alembic environment: runs migrations on SQLite or PostgreSQL through the async drivers.

The URL comes from the `sqlalchemy.url` main option (set by bot.db.migrations.alembic_config)
or, for a plain `alembic upgrade head` from the command line, from Settings (DATABASE_URL).
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from bot.config import Settings
from bot.db import models  # noqa: F401  (registers the tables on Base.metadata)
from bot.db.base import Base, UTCDateTime
from bot.db.engine import create_engine, normalise_database_url

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    # get_alembic_option, unlike get_main_option, tolerates running without alembic.ini.
    url = config.get_alembic_option("sqlalchemy.url")
    return url if isinstance(url, str) and url else Settings().database_url


def is_sqlite(url: str) -> bool:
    return normalise_database_url(url).get_backend_name() == "sqlite"


def render_item(type_: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    """Write UTCDateTime as its plain column type, so migrations never import the models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    url = database_url()
    context.configure(
        url=normalise_database_url(url),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
        render_item=render_item,
        render_as_batch=is_sqlite(url),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            check_foreign_keys(connection)


def check_foreign_keys(connection: Connection) -> None:
    """Fail (and roll back) if a migration left rows pointing at nothing.

    SQLite migrations run with foreign keys off, so nothing else would notice.
    """
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration broke foreign keys: {broken[:10]}")


async def run_migrations_online() -> None:
    # NullPool: a migration run is one connection, closed when done. Foreign keys are
    # off on SQLite so batch-mode table rebuilds cannot cascade-delete rows.
    engine = create_engine(database_url(), sqlite_foreign_keys=False, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


def main() -> None:
    if context.is_offline_mode():
        run_migrations_offline()
        return
    shared = config.attributes.get("connection")
    if isinstance(shared, Connection):
        # A caller inside a running event loop passed its own connection
        # (await conn.run_sync(...)): reuse it instead of starting a second loop.
        run_migrations(shared)
        return
    asyncio.run(run_migrations_online())


main()
