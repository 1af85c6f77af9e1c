"""What one update costs the database (BENCHMARKS.md, "The whole bot, end to end", has
the CPU it comes to; tests/db/test_sqlite_driver.py shows the statements need no thread)."""

from __future__ import annotations

from sqlalchemy import event

from bot.app import BotApplication
from tests.conftest import ChatUser


async def test_a_returning_users_message_costs_four_statements(
    bot: BotApplication, ann: ChatUser
) -> None:
    await ann.says("/start")
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement.split()[0])

    engine = bot.bot_data.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await ann.says("/start")
    finally:
        event.remove(engine, "before_cursor_execute", record)

    # The claim, the user's arrival (one upsert), their conversations (one select), done.
    # It was nine: three BEGINs, a select of the user before the upsert, two selects for
    # the conversations; and each statement was three or four hops to aiosqlite's thread.
    assert statements == ["INSERT", "INSERT", "SELECT", "UPDATE"]
