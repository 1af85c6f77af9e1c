"""End-to-end benchmarks through the sandbox, for `python -m bot bench e2e` (BENCHMARKS.md).

Two bots, one after the other, each in its own process polling a fresh sandbox with the
same settings:

- Sourcing Guard itself, exactly as deployed: `python -m bot run` on a SQLite file;
- the baseline, a bare python-telegram-bot echo bot (`bot/bench/echo.py`).

Simulated users talk to the bot in a closed loop: each sends a message, waits for the
answer, sends the next. The messages cycle through what buyers send most: /start,
supplier payment requests, 1688 links. Each bot gets the same loads in turn
(BENCH_E2E_USERS, default "1,20": one user alone, whose latency is the bot's own time per
update, then 20 users at once, which queue). After a warm-up each load runs for a fixed
window (BENCH_E2E_SECONDS, default 5 × `--seconds`, at least 10 s) and gives

- updates/s: updates answered within the window, divided by the window;
- latency: from the moment the sandbox queues the user's update (its clock, `time.time()`,
  read right before the synchronous push) to the moment the bot's sendMessage request
  reaches it (`RecordedCall.time`, the same clock); p50 and p95;
- CPU: the bot process's user + system time over the window, and the harness's own
  (sandbox and users share the benchmark process), to tell who was the bottleneck;
- memory: VmRSS of the bot process, idle after start-up (polling, nothing received, no
  OCR model loaded), and after the load (VmRSS and the peak, VmHWM).

The sandbox's flood control is off by default (BENCH_E2E_FLOOD=off): the figures are then
the bots' own capacity. BENCH_E2E_FLOOD=telegram applies Telegram's limits (30 messages/s
overall, 1/s per chat after a burst of 3) to both bots alike; a reply that does not come
within 30 s counts as unanswered (the echo bot has no rate limiter and gives up on 429).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import SystemClock
from bot.config import PROJECT_ROOT
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox

Row = tuple[str, str, str]
WORKLOAD: tuple[str, ...] = (
    "/start",
    "请转账到我私人账户 6222 0212 3456 7890 123 省税",
    "https://detail.1688.com/offer/123456789.html",
    "Dear friend, our company account is under audit, please pay to my personal Alipay "
    "138 1234 5678 this time.",
    "https://shop1355395132054.1688.com/page/offerlist.htm",
)
FIRST_USER_ID = 100_001
_USERS_PER_LOAD = 100_000
_START_TIMEOUT = 120.0
_STOP_TIMEOUT = 20.0
# Variables of the developer's shell that would change what the bot under test does.
_FOREIGN_ENVIRONMENT = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "DATABASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "ADMIN_IDS",
    "LOG_LEVEL",
)


@dataclass(frozen=True)
class E2eSizes:
    loads: tuple[int, ...] = (1, 20)  # simulated users, one measured window each
    window_seconds: float = 15.0
    warmup_messages: int = 2  # per user, not measured
    # A user alone pauses this long before each next message: far below any rate limit
    # (the bot's own 30 messages/s included), so the latency is the bot's time per update.
    pause_alone: float = 0.2
    flood: str = "off"  # or "telegram"
    reply_timeout: float = 30.0
    idle_seconds: float = 3.0  # after start-up, before reading the idle RSS

    @classmethod
    def from_environment(cls, seconds: float) -> E2eSizes:
        environ = os.environ
        flood = environ.get("BENCH_E2E_FLOOD", cls.flood)
        if flood not in ("off", "telegram"):
            raise ValueError(f"BENCH_E2E_FLOOD must be off or telegram, not {flood!r}")
        loads = environ.get("BENCH_E2E_USERS")
        return cls(
            loads=tuple(int(n) for n in loads.split(",")) if loads else cls.loads,
            window_seconds=float(environ.get("BENCH_E2E_SECONDS", max(10.0, 5 * seconds))),
            flood=flood,
        )

    def flood_limits(self) -> FloodLimits:
        return FloodLimits() if self.flood == "telegram" else FloodLimits.off()


@dataclass(frozen=True)
class BotUnderTest:
    name: str
    command: list[str]
    environment: dict[str, str]


def sourcing_guard(directory: Path, base_url: str) -> BotUnderTest:
    return BotUnderTest(
        "Sourcing Guard",
        [sys.executable, "-m", "bot", "run"],
        {
            "TELEGRAM_BOT_TOKEN": "123456789:bench-e2e-sourcing-guard",
            "TELEGRAM_API_BASE_URL": base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'bot.db'}",
        },
    )


def echo_bot(base_url: str) -> BotUnderTest:
    return BotUnderTest(
        "PTB echo bot",
        [sys.executable, "-m", "bot.bench.echo"],
        {"ECHO_BOT_TOKEN": "987654321:bench-e2e-echo", "ECHO_API_BASE_URL": base_url},
    )


@dataclass
class LoadRun:
    """One measured window: `users` talking to the bot at once."""

    users: int
    window_seconds: float
    latencies: list[float] = field(default_factory=list)
    answered_in_window: int = 0
    unanswered: int = 0
    pause_seconds: float = 0.0
    cpu_percent: float = 0.0
    cpu_seconds: float = 0.0
    harness_cpu_percent: float = 0.0

    @property
    def updates_per_second(self) -> float:
        return self.answered_in_window / self.window_seconds

    @property
    def cpu_ms_per_update(self) -> float:
        """The bot process's CPU time per answered update."""
        return self.cpu_seconds / len(self.latencies) * 1000 if self.latencies else 0.0

    def latency_ms(self, percent: float) -> float:
        return percentile(self.latencies, percent) * 1000


@dataclass
class BotRun:
    name: str
    loads: list[LoadRun] = field(default_factory=list)
    updates_sent: int = 0
    replies: int = 0
    startup_seconds: float = 0.0
    idle_rss_mb: float = 0.0
    loaded_rss_mb: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def replies_per_update(self) -> float:
        return self.replies / self.updates_sent if self.updates_sent else 0.0

    def load(self, users: int) -> LoadRun:
        return next(load for load in self.loads if load.users == users)


def percentile(samples: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile; 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * percent // 100))  # ceil without floats
    return ordered[min(len(ordered), int(rank)) - 1]


# -- measuring one bot -------------------------------------------------------------------


class ReplyWatcher:
    """Hands each sendMessage the sandbox accepts to the user waiting for an answer.

    One scan of the new calls per sandbox change, instead of every waiting user scanning
    all calls; each user has at most one message awaiting its answer."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.replies = 0
        self.expected = 0  # updates sent, each expecting an answer
        self._seen = 0
        self._waiting: dict[int, asyncio.Future[float]] = {}

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        self.expected += 1
        return future

    def forget(self, chat_id: int) -> None:
        self._waiting.pop(chat_id, None)

    async def run(self) -> None:
        calls = self.sandbox.calls
        while True:
            await self.sandbox.wait_for(lambda: len(calls) > self._seen or None, timeout=3600)
            fresh, self._seen = calls[self._seen :], len(calls)
            for call in fresh:
                if call.method != "sendMessage" or not call.ok:
                    continue
                chat_id = int(str(call.params.get("chat_id")))
                if chat_id >= FIRST_USER_ID:
                    self.replies += 1
                waiter = self._waiting.pop(chat_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(call.time)


async def measure_bot(
    bot: BotUnderTest, sandbox: Sandbox, sizes: E2eSizes, directory: Path
) -> BotRun:
    """Start the bot, read its idle memory, load it, read its memory again, stop it."""
    run = BotRun(bot.name)
    started = time.monotonic()
    async with _bot_process(bot, directory) as process:
        await _until_polling(sandbox, process)
        run.startup_seconds = time.monotonic() - started
        await asyncio.sleep(sizes.idle_seconds)
        run.idle_rss_mb = _memory_mb(process.pid, "VmRSS")
        watcher = ReplyWatcher(sandbox)
        watching = asyncio.create_task(watcher.run())
        try:
            for index, users in enumerate(sizes.loads):
                # New users for each load: nobody carries a conversation into the next.
                first = FIRST_USER_ID + index * _USERS_PER_LOAD
                user_ids = range(first, first + users)
                run.loads.append(await _load(sandbox, watcher, process.pid, user_ids, sizes))
            # Replies still on their way (a second message for one update) count too.
            await sandbox.wait_until_settled(quiet=0.5, timeout=60)
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
        run.updates_sent, run.replies = watcher.expected, watcher.replies
        run.loaded_rss_mb = _memory_mb(process.pid, "VmRSS")
        run.peak_rss_mb = _memory_mb(process.pid, "VmHWM")
    return run


async def _load(
    sandbox: Sandbox, watcher: ReplyWatcher, pid: int, user_ids: range, sizes: E2eSizes
) -> LoadRun:
    pause = sizes.pause_alone if len(user_ids) == 1 else 0.0
    load = LoadRun(len(user_ids), sizes.window_seconds, pause_seconds=pause)
    await asyncio.gather(
        *(
            _talk(sandbox, watcher, user, sizes.warmup_messages, None, pause, sizes)
            for user in user_ids
        )
    )
    cpu_before, harness_before = _cpu_seconds(pid), time.process_time()
    started = _wall_seconds()
    end = started + sizes.window_seconds
    samples = await asyncio.gather(
        *(_talk(sandbox, watcher, user, None, end, pause, sizes) for user in user_ids)
    )
    elapsed = _wall_seconds() - started
    load.cpu_seconds = _cpu_seconds(pid) - cpu_before
    load.cpu_percent = load.cpu_seconds / elapsed * 100
    load.harness_cpu_percent = (time.process_time() - harness_before) / elapsed * 100
    for answered, unanswered in samples:
        load.latencies += [reply - sent for sent, reply in answered]
        load.answered_in_window += sum(reply <= end for _, reply in answered)
        load.unanswered += unanswered
    return load


def _wall_seconds() -> float:
    """The machine's time in seconds: reply times are the sandbox's call stamps, which are
    wall-clock seconds too."""
    return SystemClock().now().timestamp()


async def _talk(
    sandbox: Sandbox,
    watcher: ReplyWatcher,
    user_id: int,
    count: int | None,
    end: float | None,
    pause: float,
    sizes: E2eSizes,
) -> tuple[list[tuple[float, float]], int]:
    """One user's closed loop: `count` messages, or as many as fit before `end`, `pause`
    seconds after each answer.

    Returns (sent, answered) times of the answered messages and the number unanswered."""
    answered: list[tuple[float, float]] = []
    unanswered = 0
    offset = user_id % len(WORKLOAD)  # users start at different points of the mix
    sent_count = 0
    while (count is None or sent_count < count) and (end is None or _wall_seconds() < end):
        if sent_count and pause:
            await asyncio.sleep(pause)
        text = WORKLOAD[(offset + sent_count) % len(WORKLOAD)]
        sent_count += 1
        waiter = watcher.expect(user_id)
        sent = _wall_seconds()  # the push below is synchronous: this is when the update is queued
        await sandbox.send_text(user_id, text, first_name=f"Buyer {user_id}")
        try:
            reply = await asyncio.wait_for(waiter, sizes.reply_timeout)
        except TimeoutError:
            watcher.forget(user_id)
            unanswered += 1
            continue
        answered.append((sent, reply))
    return answered, unanswered


@contextlib.asynccontextmanager
async def _bot_process(
    bot: BotUnderTest, directory: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    environment = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENVIRONMENT}
    environment.update(bot.environment)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT_ROOT), environment.get("PYTHONPATH")])
    )
    log_path = directory / "bot.log"
    with log_path.open("wb") as log:
        # The scratch directory as working directory: no developer's .env is read.
        process = await asyncio.create_subprocess_exec(
            *bot.command,
            cwd=directory,
            env=environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        try:
            yield process
        finally:
            await _stop(process)
    if process.returncode not in (0, -signal.SIGINT):
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{bot.name} exited with {process.returncode}:\n{tail}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGINT)  # run_polling stops cleanly on Ctrl-C
    try:
        await asyncio.wait_for(process.wait(), _STOP_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()


async def _until_polling(sandbox: Sandbox, process: asyncio.subprocess.Process) -> None:
    """Wait until the bot's first long poll waits in the sandbox: start-up (migrations,
    commands) is over. (Calls are recorded when answered, a long poll only at its end.)"""
    deadline = time.monotonic() + _START_TIMEOUT
    while not sandbox.queue.polling:
        if process.returncode is not None:
            raise RuntimeError(f"the bot exited with {process.returncode} while starting")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the bot did not poll within {_START_TIMEOUT:.0f} s")
        with contextlib.suppress(TimeoutError):
            await sandbox.wait_for(lambda: sandbox.queue.polling, timeout=0.5)


def _memory_mb(pid: int, field_name: str) -> float:
    """A VmRSS/VmHWM figure of /proc/<pid>/status, in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) / 1024
    raise LookupError(f"{field_name} not in /proc/{pid}/status")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name may contain spaces; the fields after it are fixed.
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- both bots, side by side -------------------------------------------------------------


async def measure_both(sizes: E2eSizes) -> tuple[BotRun, BotRun]:
    """Sourcing Guard, then the echo bot, each against a fresh sandbox with `sizes`."""
    runs = []
    for make in (_ours, _echo):
        async with Sandbox(flood=sizes.flood_limits()) as sandbox:
            with tempfile.TemporaryDirectory(prefix="sg-bench-e2e-") as scratch:
                directory = Path(scratch)
                bot = make(directory, sandbox)
                runs.append(await measure_bot(bot, sandbox, sizes, directory))
    return runs[0], runs[1]


def _ours(directory: Path, sandbox: Sandbox) -> BotUnderTest:
    return sourcing_guard(directory, sandbox.base_url)


def _echo(_directory: Path, sandbox: Sandbox) -> BotUnderTest:
    return echo_bot(sandbox.base_url)


def rows(ours: BotRun, echo: BotRun, sizes: E2eSizes) -> list[Row]:
    flood = (
        "sandbox flood control off"
        if sizes.flood == "off"
        else "sandbox flood control as Telegram (30/s, 1/s per chat)"
    )
    table: list[Row] = []
    for users in sizes.loads:
        mine, theirs = ours.load(users), echo.load(users)
        if users == 1:
            name = "end to end: 1 user, latency p50 / p95"
            pace = f"{mine.pause_seconds:.1f} s pause after each answer"
        else:
            name = f"end to end: {users} users at once, updates/s and latency p50 / p95"
            pace = "no pause"
        table.append(
            (
                name,
                f"{ours.name} {_load_figure(mine)} · {echo.name} {_load_figure(theirs)}",
                f"closed loop, {pace}, mixed /start, payment texts, 1688 links, "
                f"{sizes.window_seconds:.0f} s; {flood}; {len(mine.latencies):,} vs "
                f"{len(theirs.latencies):,} answered, {mine.unanswered} vs "
                f"{theirs.unanswered} unanswered; bot CPU {mine.cpu_ms_per_update:.1f} vs "
                f"{theirs.cpu_ms_per_update:.1f} ms per update, "
                f"{_times(mine.cpu_ms_per_update, theirs.cpu_ms_per_update)} "
                f"({mine.cpu_percent:.0f} vs "
                f"{theirs.cpu_percent:.0f} % of a core), harness "
                f"{mine.harness_cpu_percent:.0f} vs {theirs.harness_cpu_percent:.0f} %",
            )
        )
    table += [
        (
            "start-up: process start to first poll",
            f"{ours.name} {ours.startup_seconds:.1f} s · {echo.name} {echo.startup_seconds:.1f} s",
            "a fresh process each; Sourcing Guard's includes its migrations on a new SQLite file",
        ),
        (
            "idle RSS: bot process",
            f"{ours.name} {ours.idle_rss_mb:.0f} MB · {echo.name} {echo.idle_rss_mb:.0f} MB",
            f"VmRSS polling the sandbox {sizes.idle_seconds:.0f} s after start-up, no OCR model "
            f"loaded; after the loads {ours.loaded_rss_mb:.0f} vs {echo.loaded_rss_mb:.0f} MB "
            f"(peak {ours.peak_rss_mb:.0f} vs {echo.peak_rss_mb:.0f} MB)",
        ),
    ]
    return table


def _times(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.1f}×" if theirs > 0 else "n/a"


def _load_figure(load: LoadRun) -> str:
    latency = f"{load.latency_ms(50):.0f} / {load.latency_ms(95):.0f} ms"
    if load.pause_seconds:  # paced by the pause: updates/s says nothing about the bot
        return latency
    return f"{load.updates_per_second:.1f}/s, {latency}"


def bench_e2e(seconds: float, sizes: E2eSizes | None = None) -> list[Row]:
    sizes = sizes or E2eSizes.from_environment(seconds)
    ours, echo = asyncio.run(measure_both(sizes))
    return rows(ours, echo, sizes)


def side_by_side(ours: BotRun, echo: BotRun) -> list[str]:
    """The same figures as a Markdown table with one column per bot."""
    lines = [f"| | {ours.name} | {echo.name} |", "|---|---|---|"]
    figures: list[tuple[str, Callable[[BotRun], str]]] = []
    for load in ours.loads:
        users = load.users
        who = f"{users} user{'s' if users > 1 else ''}{', paced' if load.pause_seconds else ''}"

        def by_load(shown: Callable[[LoadRun], str], n: int = users) -> Callable[[BotRun], str]:
            return lambda run: shown(run.load(n))

        figures += [
            (f"{who}: updates/s", by_load(lambda r: f"{r.updates_per_second:.1f}")),
            (f"{who}: latency p50", by_load(lambda r: f"{r.latency_ms(50):.0f} ms")),
            (f"{who}: latency p95", by_load(lambda r: f"{r.latency_ms(95):.0f} ms")),
            (f"{who}: bot CPU per update", by_load(lambda r: f"{r.cpu_ms_per_update:.1f} ms")),
            (f"{who}: bot process CPU", by_load(lambda r: f"{r.cpu_percent:.0f} % of a core")),
        ]
    figures += [
        ("replies per update", lambda r: f"{r.replies_per_update:.2f}"),
        ("start-up to first poll", lambda r: f"{r.startup_seconds:.1f} s"),
        ("idle RSS", lambda r: f"{r.idle_rss_mb:.0f} MB"),
        (
            "RSS after the loads (peak)",
            lambda r: f"{r.loaded_rss_mb:.0f} ({r.peak_rss_mb:.0f}) MB",
        ),
    ]
    for label, shown in figures:
        lines.append(f"| {label} | {shown(ours)} | {shown(echo)} |")
        if label.endswith("bot CPU per update"):
            # The goal of issue 18 is stated in this figure: at most 3× the echo bot's.
            n = int(label.split(" ", 1)[0])
            ratio = _times(ours.load(n).cpu_ms_per_update, echo.load(n).cpu_ms_per_update)
            lines.append(f"| {label}, ÷ the echo bot's | {ratio} | 1× |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.bench.e2e [SECONDS]`: both bots, as `python -m bot bench e2e` prints
    them, then side by side."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    sizes = E2eSizes.from_environment(float(arguments[0]) if arguments else 3.0)
    ours, echo = asyncio.run(measure_both(sizes))
    print("| benchmark | result | conditions |\n|---|---|---|")
    for name, figure, conditions in rows(ours, echo, sizes):
        print(f"| {name} | {figure} | {conditions} |")
    print()
    print("\n".join(side_by_side(ours, echo)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
