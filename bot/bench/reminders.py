"""Benchmarks of the reminder engine, for `python -m bot bench` (the figures in BENCHMARKS.md).

- claim-100 and mark-sent latency with 1,000,000 pending reminders, on SQLite and (when
  BENCH_POSTGRES_URL names an admin DSN, e.g. postgresql+asyncpg://postgres@127.0.0.1/postgres)
  on PostgreSQL, in a throw-away database;
- engine start-up time and RSS with that backlog against an almost empty database, each in
  a fresh process so the RSS is the engine's own;
- the baseline: APScheduler 3's MemoryJobStore with one `date` job per reminder;
- a backlog due at once (10,000 by default) drained against the sandbox with its real flood
  limits: messages/s against Telegram's ~30/s ceiling, 429 answers (must be 0), and the
  engine process's CPU and RSS.

Sizes are parameters (`BenchSizes`; environment: BENCH_PENDING, BENCH_APSCHEDULER_JOBS,
BENCH_BACKLOG, BENCH_DRAIN_SECONDS). The child processes are this module's command line:
`python -m bot.bench.reminders {startup,apscheduler,drain} …`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.clock import SystemClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrations import upgrade_to_head
from bot.db.models import ReminderStatus
from bot.db.scratch import temporary_postgres_database
from bot.domain.escrow.states import OrderState

Row = tuple[str, str, str]
BOT_TOKEN = "123456789:bench-token-for-the-sandbox"
TELEGRAM_CEILING_PER_SECOND = 30
_BATCH = 100
_ORDERS = 1000
_CHUNK = 50_000
_PENDING = ReminderStatus.PENDING.value
_SHIPPED = OrderState.SHIPPED.value
_REMINDER_COLUMNS = (
    "order_id",
    "user_id",
    "chat_id",
    "kind",
    "deadline_at",
    "due_at",
    "status",
    "attempts",
    "in_doubt",
    "created_at",
)


@dataclass(frozen=True)
class BenchSizes:
    pending: int = 1_000_000
    claim_samples: int = 200
    apscheduler_jobs: int = 1_000_000
    backlog: int = 10_000
    drain_seconds: float = 60.0

    @classmethod
    def from_environment(cls, seconds: float) -> BenchSizes:
        """Sizes from BENCH_* variables; the drain window defaults to 20 × `seconds`."""
        environ = os.environ
        return cls(
            pending=int(environ.get("BENCH_PENDING", cls.pending)),
            apscheduler_jobs=int(environ.get("BENCH_APSCHEDULER_JOBS", cls.apscheduler_jobs)),
            backlog=int(environ.get("BENCH_BACKLOG", cls.backlog)),
            drain_seconds=float(environ.get("BENCH_DRAIN_SECONDS", max(20.0, 20 * seconds))),
        )


def bench_reminders(seconds: float, sizes: BenchSizes | None = None) -> list[Row]:
    """All reminder benchmarks: rows of (name, figure, conditions)."""
    sizes = sizes or BenchSizes.from_environment(seconds)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="sg-bench-") as scratch:
        directory = Path(scratch)
        rows += asyncio.run(_bench_sqlite(directory, sizes))
        rows += asyncio.run(_bench_postgres(sizes))
        rows += _bench_apscheduler(sizes.apscheduler_jobs)
        rows += asyncio.run(_bench_drain(directory, sizes))
    return rows


# -- the database at scale ---------------------------------------------------------------


def _due_plan(pending: int, due_now: int, now: datetime) -> Iterator[tuple[int, datetime]]:
    """(order, due_at) for `pending` rows: `due_now` in the last hour, the rest over the
    next 15 days (unique per order, as UNIQUE(order_id, kind, due_at) requires)."""
    rng = random.Random(1688)
    for n in range(pending):
        if n < due_now:
            due_at = now - timedelta(seconds=rng.uniform(1, 3600))
        else:
            due_at = now + timedelta(seconds=rng.uniform(60, 15 * 86400))
        yield n % _ORDERS + 1, due_at + timedelta(microseconds=n % 997)


async def _bench_sqlite(directory: Path, sizes: BenchSizes) -> list[Row]:
    large = directory / "pending.db"
    small = directory / "small.db"
    now = SystemClock().now()
    due_now = sizes.claim_samples * _BATCH + _BATCH
    started = time.perf_counter()
    for path, count in ((large, sizes.pending), (small, 10)):
        url = f"sqlite+aiosqlite:///{path}"
        await upgrade_to_head(url)
        _fill_sqlite(path, _due_plan(count, min(due_now, count), now), now)
    fill_seconds = time.perf_counter() - started
    label = f"SQLite, {sizes.pending:,} pending"
    rows = await _claim_rows(f"sqlite+aiosqlite:///{large}", label, sizes, now)
    rows.append(
        _startup_row(f"sqlite+aiosqlite:///{large}", f"sqlite+aiosqlite:///{small}", label)
    )
    rows.append(("reminders: fill SQLite", f"{fill_seconds:.0f} s", f"{label}, WAL, ANALYZE"))
    return rows


def _fill_sqlite(path: Path, plan: Iterator[tuple[int, datetime]], now: datetime) -> None:
    """Bulk insert with sqlite3 (aiosqlite would take minutes for a million rows)."""
    stamp = _sqlite_time(now)
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute(
                "INSERT INTO users (telegram_id, created_at, last_seen_at, blocked, keep_texts)"
                " VALUES (1, ?, ?, 0, 0)",
                (stamp, stamp),
            )
            connection.executemany(
                "INSERT INTO orders (id, user_id, chat_id, label, state, extension_days,"
                f" paused_seconds, created_at, updated_at) VALUES (?, 1, 1, 'bench', '{_SHIPPED}',"
                " 0, 0, ?, ?)",
                [(order, stamp, stamp) for order in range(1, _ORDERS + 1)],
            )
            placeholders = ", ".join("?" * len(_REMINDER_COLUMNS))
            connection.executemany(
                f"INSERT INTO reminders ({', '.join(_REMINDER_COLUMNS)}) VALUES ({placeholders})",
                (
                    (
                        order,
                        1,
                        1,
                        "t-24h",
                        _sqlite_time(due + timedelta(days=1)),
                        _sqlite_time(due),
                        _PENDING,
                        0,
                        0,
                        stamp,
                    )
                    for order, due in plan
                ),
            )
        connection.execute("ANALYZE")
    finally:
        connection.close()


def _sqlite_time(moment: datetime) -> str:
    # The format SQLAlchemy's SQLite DateTime writes (UTC, as bot.db.base stores it).
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def _claim_rows(url: str, label: str, sizes: BenchSizes, now: datetime) -> list[Row]:
    from bot.reminders.store import claim_due, mark_sent

    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    claim_times: list[float] = []
    mark_times: list[float] = []
    try:
        for _ in range(sizes.claim_samples):
            started = time.perf_counter()
            async with sessions.begin() as session:
                claims = await claim_due(
                    session, now, limit=_BATCH, token=str(uuid.uuid4()), lease=timedelta(minutes=2)
                )
            claim_times.append(time.perf_counter() - started)
            for claim in claims[:10]:
                started = time.perf_counter()
                async with sessions.begin() as session:
                    await session.scalars(mark_sent(claim, 1, now))
                mark_times.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    claim_ms = _percentiles_ms(claim_times)
    mark_ms = _percentiles_ms(mark_times)
    return [
        (
            f"reminders: claim {_BATCH} due ({label})",
            f"{claim_ms[0]:.1f} ms p50 / {claim_ms[1]:.1f} ms p99",
            f"{len(claim_times)} claims, each its own transaction incl. commit",
        ),
        (
            f"reminders: mark sent ({label})",
            f"{mark_ms[0]:.2f} ms p50 / {mark_ms[1]:.2f} ms p99",
            f"{len(mark_times)} fenced single-row updates incl. commit",
        ),
    ]


def _percentiles_ms(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _startup_row(large_url: str, small_url: str, label: str) -> Row:
    large = _child("startup", "--database-url", large_url)
    small = _child("startup", "--database-url", small_url)
    return (
        f"reminders: engine start-up ({label})",
        f"{large['start_ms']:.0f} ms, RSS {large['rss_mb']:.0f} MB",
        f"start() + first sweep in a fresh process; with 10 pending: "
        f"{small['start_ms']:.0f} ms, RSS {small['rss_mb']:.0f} MB",
    )


async def _bench_postgres(sizes: BenchSizes) -> list[Row]:
    admin_url = os.environ.get("BENCH_POSTGRES_URL")
    if not admin_url:
        return [("reminders: PostgreSQL", "skipped", "set BENCH_POSTGRES_URL (admin DSN)")]
    now = SystemClock().now()
    due_now = sizes.claim_samples * _BATCH + _BATCH
    async with _postgres_database(admin_url) as large, _postgres_database(admin_url) as small:
        started = time.perf_counter()
        for url, count in ((large, sizes.pending), (small, 10)):
            await upgrade_to_head(url)
            await _fill_postgres(url, _due_plan(count, min(due_now, count), now), now)
        fill_seconds = time.perf_counter() - started
        label = f"PostgreSQL, {sizes.pending:,} pending"
        rows = await _claim_rows(large, label, sizes, now)
        rows.append(_startup_row(large, small, label))
    rows.append(("reminders: fill PostgreSQL", f"{fill_seconds:.0f} s", f"{label}, COPY, ANALYZE"))
    return rows


def _postgres_database(admin_url: str) -> contextlib.AbstractAsyncContextManager[str]:
    return temporary_postgres_database(admin_url, "sg_bench_")


async def _fill_postgres(url: str, plan: Iterator[tuple[int, datetime]], now: datetime) -> None:
    import asyncpg  # type: ignore[import-untyped]

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "INSERT INTO users (telegram_id, created_at, last_seen_at) VALUES (1, $1, $1)", now
        )
        await connection.executemany(
            "INSERT INTO orders (id, user_id, chat_id, label, state, created_at, updated_at)"
            f" VALUES ($1, 1, 1, 'bench', '{_SHIPPED}', $2, $2)",
            [(order, now) for order in range(1, _ORDERS + 1)],
        )
        records = (
            (order, 1, 1, "t-24h", due + timedelta(days=1), due, _PENDING, 0, False, now)
            for order, due in plan
        )
        while chunk := [record for _, record in zip(range(_CHUNK), records, strict=False)]:
            await connection.copy_records_to_table(
                "reminders", records=chunk, columns=list(_REMINDER_COLUMNS)
            )
        await connection.execute("ANALYZE reminders")
    finally:
        await connection.close()


# -- the baseline: one APScheduler job per reminder ----------------------------------------


def _bench_apscheduler(jobs: int) -> list[Row]:
    figures = _child("apscheduler", "--jobs", str(jobs))
    per_job_kb = figures["rss_added_mb"] * 1024 / jobs
    return [
        (
            f"baseline: APScheduler MemoryJobStore, {jobs:,} date jobs",
            f"{figures['seconds']:.1f} s to add, +{figures['rss_added_mb']:.0f} MB RSS",
            f"{figures['add_us']:.0f} µs/add mean, {per_job_kb:.2f} KB/job; APScheduler "
            f"{figures['version']}, random run dates over 15 days, fresh process",
        )
    ]


def _apscheduler_child(jobs: int) -> dict[str, Any]:
    import apscheduler  # type: ignore[import-untyped]
    from apscheduler.jobstores.memory import MemoryJobStore  # type: ignore[import-untyped]
    from apscheduler.schedulers.background import (  # type: ignore[import-untyped]
        BackgroundScheduler,
    )

    scheduler = BackgroundScheduler(jobstores={"default": MemoryJobStore()}, timezone=UTC)
    scheduler.start(paused=True)  # jobs go into the store, nothing runs
    rng = random.Random(1688)
    now = SystemClock().now()
    before = _rss_mb()
    started = time.perf_counter()
    for n in range(jobs):
        run_date = now + timedelta(seconds=rng.uniform(60, 15 * 86400))
        scheduler.add_job(_noop, "date", run_date=run_date, id=str(n), args=(n,))
    seconds = time.perf_counter() - started
    added = _rss_mb() - before
    scheduler.shutdown(wait=False)
    return {
        "seconds": seconds,
        "add_us": seconds / jobs * 1e6,
        "rss_added_mb": added,
        "version": apscheduler.__version__ if hasattr(apscheduler, "__version__") else "3",
    }


def _noop(_reminder_id: int) -> None:
    """The job a per-reminder scheduler would run."""


# -- a backlog against the sandbox's flood limits ----------------------------------------


async def _bench_drain(directory: Path, sizes: BenchSizes) -> list[Row]:
    from bot.sandbox.server import Sandbox

    path = directory / "drain.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_to_head(url)
    users = list(range(10_001, 10_001 + sizes.backlog))
    _fill_backlog(path, users, SystemClock().now())
    async with Sandbox() as sandbox:  # Telegram's flood limits: 30/s, 1/s per chat
        for user_id in users:
            user = sandbox.world.upsert_user(
                user_id, first_name="Ann", language_code="en", username=None
            )
            sandbox.world.private_chat(user)
        process = await asyncio.create_subprocess_exec(
            *_child_command(
                "drain",
                "--database-url",
                url,
                "--api-base",
                sandbox.base_url,
                "--seconds",
                str(sizes.drain_seconds),
                "--backlog",
                str(sizes.backlog),
            ),
            stdout=asyncio.subprocess.PIPE,
        )
        output, _ = await process.communicate()
        figures = json.loads(output.decode().strip().splitlines()[-1])
        sends = sorted(
            call.time for call in sandbox.calls if call.method == "sendMessage" and call.ok
        )
        floods = sum(call.error_code == 429 for call in sandbox.calls)
    return [_drain_row(sizes, sends, floods, figures)]


def _drain_row(sizes: BenchSizes, sends: list[float], floods: int, figures: dict[str, Any]) -> Row:
    span = sends[-1] - sends[0] if len(sends) > 1 else 0.0
    per_second = (len(sends) - 1) / span if span > 0 else 0.0
    drained = len(sends) >= sizes.backlog
    full_drain = sizes.backlog / per_second if per_second else float("inf")
    cpu_share = figures["cpu_seconds"] / figures["wall_seconds"] * 100
    return (
        f"reminders: {sizes.backlog:,} due at once, sandbox flood limits",
        f"{per_second:.1f} msg/s, {floods} × 429",
        f"ceiling {TELEGRAM_CEILING_PER_SECOND}/s; {len(sends):,} sent in "
        f"{span:.0f} s ({'all' if drained else f'full drain ≈ {full_drain:.0f} s'}); "
        f"engine process {cpu_share:.0f} % of a core, RSS {figures['rss_mb']:.0f} MB; SQLite",
    )


def _fill_backlog(path: Path, users: list[int], now: datetime) -> None:
    stamp = _sqlite_time(now)
    due = _sqlite_time(now - timedelta(minutes=1))
    deadline = _sqlite_time(now + timedelta(hours=6))
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO users (telegram_id, created_at, last_seen_at, blocked, keep_texts)"
                " VALUES (?, ?, ?, 0, 0)",
                [(user, stamp, stamp) for user in users],
            )
            connection.executemany(
                "INSERT INTO orders (id, user_id, chat_id, label, state, extension_days,"
                f" paused_seconds, created_at, updated_at) VALUES (?, ?, ?, 'bench', '{_SHIPPED}',"
                " 0, 0, ?, ?)",
                [(n, user, user, stamp, stamp) for n, user in enumerate(users, 1)],
            )
            connection.executemany(
                "INSERT INTO reminders (order_id, user_id, chat_id, kind, deadline_at, due_at,"
                " status, attempts, in_doubt, created_at) VALUES (?, ?, ?, 't-6h', ?, ?,"
                f" '{_PENDING}', 0, 0, ?)",
                [(n, user, user, deadline, due, stamp) for n, user in enumerate(users, 1)],
            )
    finally:
        connection.close()


# -- child processes ---------------------------------------------------------------------


def _child_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "bot.bench.reminders", *arguments]


def _child(*arguments: str) -> dict[str, Any]:
    import subprocess

    finished = subprocess.run(
        _child_command(*arguments), check=True, capture_output=True, text=True, timeout=1800
    )
    figures: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return figures


def _rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _startup_child(database_url: str) -> dict[str, Any]:
    from telegram import Bot

    from bot.reminders.engine import EngineConfig, ReminderEngine, RenderedReminder
    from bot.reminders.store import ReminderRow

    async def render(row: ReminderRow) -> RenderedReminder:
        return RenderedReminder(f"⏰ Reminder #{row.id}")

    database = create_engine(database_url)
    # Nothing listens on port 9: a due row's send fails fast and is rescheduled.
    bot = Bot(BOT_TOKEN, base_url="http://127.0.0.1:9/bot")
    engine = ReminderEngine(create_sessionmaker(database), bot, render, EngineConfig())
    started = time.perf_counter()
    await engine.start()
    while engine.stats["sweeps"] < 1:  # noqa: ASYNC110 (a harness polling a counter)
        await asyncio.sleep(0.001)
    start_ms = (time.perf_counter() - started) * 1000
    rss = _rss_mb()
    await engine.stop()
    await database.dispose()
    return {"start_ms": start_ms, "rss_mb": rss}


async def _drain_child(
    database_url: str, api_base: str, seconds: float, backlog: int
) -> dict[str, Any]:
    from telegram import Bot

    from bot.reminders.engine import EngineConfig, ReminderEngine, RenderedReminder
    from bot.reminders.store import ReminderRow

    async def render(row: ReminderRow) -> RenderedReminder:
        return RenderedReminder(f"⏰ Reminder #{row.id}: order {row.order_id} is due")

    database = create_engine(database_url)
    bot = Bot(BOT_TOKEN, base_url=f"{api_base}/bot")
    engine = ReminderEngine(create_sessionmaker(database), bot, render, EngineConfig())
    async with bot:
        cpu_before = time.process_time()
        started = time.perf_counter()
        await engine.start()
        while time.perf_counter() - started < seconds and engine.stats["sent"] < backlog:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
        rss = _rss_mb()
        await engine.stop()
    await database.dispose()
    return {"cpu_seconds": cpu, "wall_seconds": wall, "rss_mb": rss, "sent": engine.stats["sent"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.reminders")
    commands = parser.add_subparsers(dest="command", required=True)
    startup = commands.add_parser("startup", help="engine start-up time and RSS (child)")
    startup.add_argument("--database-url", required=True)
    baseline = commands.add_parser("apscheduler", help="one APScheduler job per reminder")
    baseline.add_argument("--jobs", type=int, required=True)
    drain = commands.add_parser("drain", help="drain a due backlog against a Bot API (child)")
    drain.add_argument("--database-url", required=True)
    drain.add_argument("--api-base", required=True)
    drain.add_argument("--seconds", type=float, required=True)
    drain.add_argument("--backlog", type=int, required=True)
    everything = commands.add_parser("all", help="every benchmark, as Markdown rows")
    everything.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    if args.command == "startup":
        figures = asyncio.run(_startup_child(args.database_url))
    elif args.command == "apscheduler":
        figures = _apscheduler_child(args.jobs)
    elif args.command == "drain":
        figures = asyncio.run(
            _drain_child(args.database_url, args.api_base, args.seconds, args.backlog)
        )
    else:
        for name, figure, conditions in bench_reminders(args.seconds):
            print(f"| {name} | {figure} | {conditions} |", flush=True)
        return 0
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
