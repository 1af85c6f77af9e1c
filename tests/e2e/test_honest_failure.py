"""When the database stops taking writes, nothing the users sent is lost, and what they are
told is true: the message is retried once the database is back, and answered then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.context import BotApplication
from bot.db import scratch
from bot.db.engine import create_engine
from bot.db.models import Order
from bot.render.i18n import translate
from bot.sandbox.server import Sandbox
from tests.conftest import BOT_TOKEN, HandledUpdates
from tests.db.databases import SqliteTemplate, migrated_postgres_database, postgres_admin_url

# Ten users at once, as the probe had: enough for the pool to open connections in the
# window next to the ones it held from before.
USERS = range(3001, 3011)

ReadOnlySwitch = Callable[[bool], Awaitable[None]]


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        # Every session cut as well: the pool reconnects, and all it holds is read-only.
        pytest.param("postgresql-sessions-cut", marks=pytest.mark.postgres),
    ]
)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: SqliteTemplate
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sqlite_template.copy_to(tmp_path, "bot.db")
        return
    async with migrated_postgres_database() as url:
        yield url


@pytest.fixture
def settings(sandbox: Sandbox, database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=BOT_TOKEN,
        telegram_api_base_url=sandbox.base_url,
        database_url=database_url,
        admin_ids="42",
    )


@pytest.fixture
def read_only(
    request: pytest.FixtureRequest, bot: BotApplication, database_url: str
) -> ReadOnlySwitch:
    """Switches the database to read-only and back, the way the probe did.

    PostgreSQL: `default_transaction_read_only` on the database, which every session
    opened from then on takes (sessions already open keep writing, unless they are cut;
    and those opened in the window stay read-only after it). SQLite: a file that
    lost its write permission opens read-only, while connections opened before keep
    writing; tests run as root, for whom chmod changes nothing, so new connections are
    made read-only as they open (`PRAGMA query_only`, which fails writes with the same
    SQLITE_READONLY)."""
    if database_url.startswith("postgresql"):
        admin_url = postgres_admin_url()
        assert admin_url is not None
        name = make_url(database_url).database
        cut_sessions = request.node.callspec.params["database_url"].endswith("cut")

        async def switch_postgres(on: bool) -> None:
            setting = "on" if on else "off"
            await scratch.execute_autocommit(
                admin_url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = {setting}'
            )
            if on and cut_sessions:
                await scratch.execute_autocommit(
                    admin_url,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
                )

        return switch_postgres

    engine = bot.bot_data.engine.sync_engine
    window = {"open": False}

    def opened(dbapi_connection: Any, _record: Any) -> None:
        if window["open"]:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()

    event.listen(engine, "connect", opened)

    async def switch_sqlite(on: bool) -> None:
        window["open"] = on

    return switch_sqlite


def said(sandbox: Sandbox, user_id: int, key: str) -> int:
    return sum(m.text == translate("en", key) for m in sandbox.bot_messages(user_id))


async def orders_by_round(database_url: str) -> dict[str, int]:
    """How many orders each round of /track left (the parcel names the round)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            labels = (await connection.scalars(select(Order.label))).all()
    finally:
        await engine.dispose()
    return dict(Counter(label.split()[0] for label in labels))


async def everyone_tracks(sandbox: Sandbox, parcel: str) -> list[int]:
    """Every user sends a /track at once; their update ids (no waiting for answers)."""
    sent = []
    for user_id in USERS:
        update = await sandbox.send_text(user_id, f"/track 5d {parcel} {user_id}")
        sent.append(update["update_id"])
    return sent


async def test_a_read_only_window_loses_no_message(
    sandbox: Sandbox, handled: HandledUpdates, read_only: ReadOnlySwitch, database_url: str
) -> None:
    # The pool holds connections opened while the database was writable.
    for update_id in await everyone_tracks(sandbox, "before"):
        await handled.wait(update_id)

    await read_only(True)
    during = await everyone_tracks(sandbox, "during")
    # Every one of them tried at least once while writes were refused.
    await sandbox.wait_for(lambda: all(handled.outcomes.get(u) for u in during), timeout=30)
    await read_only(False)
    after = await everyone_tracks(sandbox, "after") + await everyone_tracks(sandbox, "later")
    for update_id in during + after:
        await handled.wait(update_id, timeout=90)
    await sandbox.wait_until_settled()

    # The probe lost 6 of 10 during the window and 4 of 20 after it (PostgreSQL).
    assert await orders_by_round(database_url) == {
        "before": 10,
        "during": 10,
        "after": 10,
        "later": 10,
    }
    for user_id in USERS:
        # The truth, if anything was said: it will be retried. Never "please try again"
        # for what is being retried, nor the retry note twice for one message.
        assert said(sandbox, user_id, "error_apology") == 0
        assert said(sandbox, user_id, "error_not_saved_send_again") == 0
        assert said(sandbox, user_id, "error_not_saved_retrying") <= 1
