"""A reminder engine in its own process, for tests that kill it with SIGKILL.

    python -m tests.reminders.engine_process --database-url URL --api-base URL \\
        [--lease 1.0] [--sweep 0.2] [--clock-file PATH]

Runs against an already migrated database and a sandbox's base URL until SIGTERM (or
SIGKILL). Each message says `⏰ Reminder #<id>`, "— deadline passed" when it is sent after
the row's deadline, and "(repeat)" when the row was in doubt, so the test can count
deliveries per reminder in the sandbox's recorded calls.

`--clock-file` holds seconds to add to the machine's wall clock (re-read as it changes):
the test steps this process's wall clock, as NTP would, without touching the machine's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from telegram.ext import ApplicationBuilder

from bot.clock import SystemClock
from bot.config import sqlite_file
from bot.db.engine import create_engine, create_sessionmaker
from bot.reminders.engine import EngineConfig, ReminderEngine, RenderedReminder, RenderReminder
from bot.reminders.store import ReminderRow
from bot.runtime.instance_lock import acquire_instance_lock

TOKEN = "123456789:test-token-for-the-sandbox-abcdefghij"


class SteppedClock:
    """The machine's wall clock plus the seconds in a file the test rewrites."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._system = SystemClock()
        self._offset = timedelta(0)
        self._read_at = float("-inf")

    def __call__(self) -> datetime:
        if self._path is not None and time.monotonic() - self._read_at > 0.02:
            self._read_at = time.monotonic()
            with contextlib.suppress(OSError, ValueError):
                self._offset = timedelta(seconds=float(self._path.read_text() or 0))
        return self._system.now() + self._offset


def renderer(clock: Callable[[], datetime]) -> RenderReminder:
    async def render(row: ReminderRow) -> RenderedReminder:
        passed = row.deadline_at is not None and row.deadline_at <= clock()
        late = " — deadline passed" if passed else ""
        repeat = " (repeat)" if row.in_doubt else ""
        return RenderedReminder(f"⏰ Reminder #{row.id}{late}{repeat}")

    return render


async def run(
    database_url: str, api_base: str, config: EngineConfig, clock_file: Path | None
) -> None:
    database = create_engine(database_url)
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{api_base}/bot")
        .base_file_url(f"{api_base}/file/bot")
        .updater(None)
        .build()
    )
    clock = SteppedClock(clock_file)
    engine = ReminderEngine(
        create_sessionmaker(database), application.bot, renderer(clock), config, clock=clock
    )
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
    parser.add_argument("--clock-file", type=Path, default=None)
    args = parser.parse_args(argv)
    config = replace(
        EngineConfig(),
        lease_seconds=args.lease,
        sweep_seconds=args.sweep,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.2,
    )
    with contextlib.ExitStack() as stack:
        path = sqlite_file(args.database_url)
        if path is not None:
            stack.enter_context(acquire_instance_lock(path))
        asyncio.run(run(args.database_url, args.api_base, config, args.clock_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
