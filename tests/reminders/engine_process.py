"""A reminder engine in its own process, for tests that kill it with SIGKILL.

    python -m tests.reminders.engine_process --database-url URL --api-base URL \\
        [--lease 1.0] [--sweep 0.2]

Runs against an already migrated database and a sandbox's base URL until SIGTERM (or
SIGKILL). Each message says `⏰ Reminder #<id>`, plus "(repeat)" when the row was in doubt,
so the test can count deliveries per reminder in the sandbox's recorded calls.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from dataclasses import replace

from telegram.ext import ApplicationBuilder

from bot.db.engine import create_engine, create_sessionmaker
from bot.reminders.engine import EngineConfig, ReminderEngine, RenderedReminder
from bot.reminders.store import ReminderRow
from bot.runtime.instance_lock import acquire_instance_lock

TOKEN = "123456789:test-token-for-the-sandbox-abcdefghij"


async def render(row: ReminderRow) -> RenderedReminder:
    repeat = " (repeat)" if row.in_doubt else ""
    return RenderedReminder(f"⏰ Reminder #{row.id}{repeat}")


async def run(database_url: str, api_base: str, config: EngineConfig) -> None:
    database = create_engine(database_url)
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{api_base}/bot")
        .base_file_url(f"{api_base}/file/bot")
        .updater(None)
        .build()
    )
    engine = ReminderEngine(create_sessionmaker(database), application.bot, render, config)
    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    async with application:
        await application.start()
        await engine.start(application.job_queue)
        print("ready", flush=True)
        await stopped.wait()
        await engine.stop()
        await application.stop()
    await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--lease", type=float, default=1.0)
    parser.add_argument("--sweep", type=float, default=0.2)
    args = parser.parse_args(argv)
    config = replace(
        EngineConfig(),
        lease_seconds=args.lease,
        sweep_seconds=args.sweep,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.2,
    )
    with contextlib.ExitStack() as stack:
        if args.database_url.startswith("sqlite"):
            path = args.database_url.split(":///", 1)[1]
            from pathlib import Path

            stack.enter_context(acquire_instance_lock(Path(path)))
        asyncio.run(run(args.database_url, args.api_base, config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
