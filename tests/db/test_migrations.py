"""Migrations apply, revert and re-apply cleanly, and produce exactly the models' schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db.base import Base
from bot.db.engine import create_engine
from bot.db.migrations import alembic_config, downgrade, upgrade, upgrade_to_head

from .databases import sqlite_file_url


def revisions_in_order() -> list[tuple[str, str]]:
    """(revision, the revision before it or "base"), oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    walked = reversed(list(script.walk_revisions("base", "heads")))
    return [(rev.revision, _single_down_revision(rev.down_revision)) for rev in walked]


def _single_down_revision(down: Any) -> str:
    if down is None:
        return "base"
    assert isinstance(down, str), f"merge revisions need their own stairway step: {down}"
    return down


async def current_state(url: str) -> tuple[str | None, set[str]]:
    """The applied revision and the schema's parts ("table" and "table.column" names),
    read from the database itself: a migration that only adds a column still shows."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_read_state)
    finally:
        await engine.dispose()


def _read_state(connection: Connection) -> tuple[str | None, set[str]]:
    revision = MigrationContext.configure(connection).get_current_revision()
    inspector = inspect(connection)
    parts = set()
    for table in inspector.get_table_names():
        parts.add(table)
        parts |= {f"{table}.{column['name']}" for column in inspector.get_columns(table)}
    return revision, parts


async def schema_differences(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_compare_with_models)
    finally:
        await engine.dispose()


def _compare_with_models(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def test_there_is_a_single_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert revisions_in_order()[0] == ("0001", "base")


async def test_stairway_up_down_up(database_url: str) -> None:
    for revision, previous in revisions_in_order():
        await upgrade(database_url, revision)
        tables_up = (await current_state(database_url))[1]

        await downgrade(database_url, previous)
        revision_down, tables_down = await current_state(database_url)
        assert revision_down == (None if previous == "base" else previous)
        assert tables_down < tables_up, f"downgrade of {revision} removed nothing"

        await upgrade(database_url, revision)
        assert await current_state(database_url) == (revision, tables_up)


async def test_head_has_the_users_table(migrated_url: str) -> None:
    revision, tables = await current_state(migrated_url)
    assert revision == revisions_in_order()[-1][0]
    assert {"users", "alembic_version"} <= tables


async def test_models_match_migrations(migrated_url: str) -> None:
    assert await schema_differences(migrated_url) == []


async def test_full_downgrade_leaves_an_empty_database(migrated_url: str) -> None:
    await downgrade(migrated_url, "base")
    revision, parts = await current_state(migrated_url)
    assert revision is None
    assert {part for part in parts if "." not in part} == {"alembic_version"}


async def test_migrations_run_from_another_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = sqlite_file_url(tmp_path / "nested" / "dir")
    await upgrade_to_head(url)
    assert "users" in (await current_state(url))[1]


async def test_migrations_can_run_on_a_connection_the_caller_already_holds(
    database_url: str,
) -> None:
    # The path for code that is inside a running event loop and owns a connection.
    config = alembic_config(database_url)

    def upgrade_on(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_on)
    finally:
        await engine.dispose()
    assert await current_state(database_url) == (revisions_in_order()[-1][0], ANY)
