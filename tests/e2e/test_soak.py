"""The soak with the real bot: `python -m bot run` killed with SIGKILL every few seconds.

A sandbox process plays Telegram. Users send `/track <N>s <label>` at random moments
through its control API, so orders are created and their reminders (REMINDER_OFFSETS
"6s,3s") fall due all through the run, while the bot is killed at random moments (a seeded
RNG: some while it starts, some just after a reminder fell due, the rest anywhere) and
started again at once. After a calm period with the last bot running, the database and
the sandbox's recorded calls must show:

- nothing is lost: every /track has an order and was answered, and its update ended done
  in `processed_updates`. Updates are handled at least once (bot/runtime/delivery.py): the bot
  confirms a batch to Telegram only once it is handled, and a copy of an update whose
  handling a kill interrupted is handled again by the next bot;
- a /track has a second order only where that at-least-once shows: a kill fell while that
  very update was being handled (its first order was saved before the kill, the next one
  after it, and Telegram handed the update out again in between). The summary line counts
  these duplicates;
- every reminder row was sent: none failed, paused, or left in `sending`;
- every row's own message (the `tg_message_id` it was marked with) was delivered, not
  before its due time; any other delivery of an order's reminder is a send a killed
  process never marked, of a row that went in doubt and was then resent marked "(repeat)";
- Telegram would have accepted every call, and the last bot stops cleanly on SIGTERM.

The short form runs in CI (about 45 s per database); the long form for minutes:
`RUN_SOAK=1 pytest -m soak tests/e2e/test_soak.py` (SOAK_MINUTES, default 3; SOAK_SEED).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import signal
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrations import upgrade_to_head
from bot.db.models import Order, ProcessedUpdate, Reminder, ReminderStatus
from bot.render.i18n import translate
from tests.db.databases import (
    migrated_postgres_database,
    sqlite_file_url,
)
from tests.servers import sandbox_url_in

# The bot runs in another process, on the machine's clock.
pytestmark = pytest.mark.process

TOKEN = "123456789:soak-test-token-abcdefghijklmnopq"
OFFSETS = "6s,3s"
OFFSET_SECONDS = (6, 3)
# The bot claims reminders for 120 s by default: a row held by a killed process would come
# back two minutes later, longer than the short form runs.
LEASE_SECONDS = float(os.environ.get("SOAK_LEASE_SECONDS", "4"))
START_TIMEOUT = 90.0  # a loaded 2-core CI machine can take long to import everything
STOP_TIMEOUT = 30.0
EARLY_TOLERANCE = 0.005  # float rounding between the bot's and the sandbox's clocks
REPEAT = translate("en", "ord_reminder_repeat")
TRACKING = translate("en", "ord_tracking")
REMINDER = re.compile(r"⏰ <b>(soak-\d+)</b>")
# 400s the bot provokes on purpose (see tests/e2e/conftest.py).
EXPECTED_400 = ("message is not modified", "chat not found")


@dataclass(frozen=True)
class SoakPlan:
    seed: int
    users: int
    messages: int  # /track messages, at random moments of the traffic window
    traffic_seconds: float
    kill_seconds: float  # bots are killed until then; the last one then runs to the end
    min_kills: int  # and at least this often, however slowly the bots start
    countdown_seconds: tuple[int, int]  # N of `/track Ns`
    alive_seconds: tuple[float, float]  # how long a started bot lives before its SIGKILL
    early_kill_share: float  # kills of a bot still starting (migrating, starting the engine)
    aimed_kill_share: float  # kills just after a reminder fell due (a send in flight)


SHORT = SoakPlan(
    seed=1688,
    users=30,
    messages=60,
    traffic_seconds=20.0,
    kill_seconds=26.0,
    min_kills=3,
    countdown_seconds=(7, 14),
    alive_seconds=(0.5, 3.5),
    early_kill_share=0.15,
    aimed_kill_share=0.5,
)


def long_plan() -> SoakPlan:
    seconds = float(os.environ.get("SOAK_MINUTES", "3")) * 60
    return SoakPlan(
        seed=int(os.environ.get("SOAK_SEED", "2026")),
        users=40,
        messages=int(seconds * 1.5),
        traffic_seconds=seconds - 10,
        kill_seconds=seconds,
        min_kills=10,
        countdown_seconds=(7, 40),
        alive_seconds=(0.5, 6.0),
        early_kill_share=0.15,
        aimed_kill_share=0.5,
    )


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database: a SQLite file, or a PostgreSQL database dropped after."""
    if request.param == "sqlite":
        url = sqlite_file_url(tmp_path, "bot.db")
        await upgrade_to_head(url)
        yield url
        return
    async with migrated_postgres_database() as url:
        yield url


@pytest.fixture
async def sandbox_url(tmp_path: Path) -> AsyncIterator[str]:
    """`python -m bot sandbox` in its own process, on a port of its choosing, which its
    banner names."""
    with (tmp_path / "sandbox.log").open("ab") as log:
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "sandbox",
            "--port",
            "0",
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
    try:
        assert server.stdout is not None
        base = None
        async with asyncio.timeout(START_TIMEOUT):
            while base is None:
                line = await server.stdout.readline()
                assert line, (tmp_path / "sandbox.log").read_text()
                base = sandbox_url_in(line.decode())
        yield base
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=STOP_TIMEOUT)


# -- the sandbox, seen from outside ------------------------------------------------------


class Telegram:
    """The sandbox's control API, and a local copy of the Bot API calls it recorded."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base
        self.calls: list[dict[str, Any]] = []

    async def send_text(self, user_id: int, text: str) -> dict[str, Any]:
        url = f"{self.base}/sandbox/users/{user_id}/text"
        async with self.http.post(url, json={"text": text}) as answer:
            body = await answer.json()
        assert body["ok"], body
        update: dict[str, Any] = body["result"]
        return update

    async def refresh(self) -> list[dict[str, Any]]:
        """Fetch the calls recorded since the last refresh; returns the new ones."""
        url = f"{self.base}/sandbox/calls?since={len(self.calls)}"
        async with self.http.get(url) as answer:
            body = await answer.json()
        new: list[dict[str, Any]] = body["result"]
        self.calls.extend(new)
        return new

    async def settled(self, quiet: float, timeout: float) -> bool:
        url = f"{self.base}/sandbox/settled?quiet={quiet}&timeout={timeout}"
        async with self.http.get(url, timeout=aiohttp.ClientTimeout(total=timeout + 30)) as answer:
            return answer.status == 200

    def ok_calls(self, method: str) -> list[dict[str, Any]]:
        return [call for call in self.calls if call["method"] == method and call["ok"]]

    def handed_out(self) -> dict[int, list[float]]:
        """update_id → when the sandbox handed it out (the ends of those getUpdates)."""
        times: dict[int, list[float]] = defaultdict(list)
        for call in self.ok_calls("getUpdates"):
            for update in call["result"] or []:
                times[update["update_id"]].append(call["time"] + call["duration"])
        return times


# -- the bot processes -------------------------------------------------------------------


class BotCrashedError(AssertionError):
    pass


@dataclass
class Bots:
    """Bot processes, started one after another on one database and one sandbox."""

    telegram: Telegram
    database_url: str
    directory: Path
    started: int = 0
    kill_times: list[float] = field(default_factory=list)
    lock_refusals: int = 0
    current: asyncio.subprocess.Process | None = None
    _spawned_at: float = 0.0
    _log: Path | None = None

    async def start(self) -> asyncio.subprocess.Process:
        self._log = self.directory / f"bot-{self.started:03d}.log"
        self.started += 1
        self._spawned_at = time.time()
        with self._log.open("ab") as log:
            self.current = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=self.directory,
                env=self._environment(),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        return self.current

    async def wait_for(self, method: str) -> None:
        """Until the bot made its first `method` call: getMe once PTB initialises (then
        post_init migrates, publishes commands and starts the reminder engine),
        deleteWebhook once it starts polling (everything is running)."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            await self.telegram.refresh()
            if any(call["time"] >= self._spawned_at for call in self.telegram.ok_calls(method)):
                return
            if self._refused_for_the_lock():
                await asyncio.sleep(0.2)
                await self.start()
                continue
            self.check_alive()
            assert time.monotonic() < deadline, f"no {method} from the bot:\n{self.log_tail()}"
            await asyncio.sleep(0.1)

    async def kill(self) -> None:
        assert self.current is not None
        if self._refused_for_the_lock():
            return  # nothing to kill: the caller starts the next one
        self.check_alive()
        self.kill_times.append(time.time())
        self.current.send_signal(signal.SIGKILL)
        await self.current.wait()  # reaped: the kernel has released the SQLite lock

    async def stop(self) -> int:
        assert self.current is not None
        self.check_alive()
        self.current.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.current.wait(), timeout=STOP_TIMEOUT)

    def log_tail(self) -> str:
        return self._log.read_text(errors="replace")[-3000:] if self._log else ""

    def check_alive(self) -> None:
        if self.current is not None and self.current.returncode is not None:
            raise BotCrashedError(
                f"the bot exited by itself ({self.current.returncode}):\n{self.log_tail()}"
            )

    def _refused_for_the_lock(self) -> bool:
        """The bot exited at start because a dead bot's SQLite lock was still held."""
        if self.current is None or self.current.returncode is None:
            return False
        if "already using" not in self.log_tail():
            return False
        self.lock_refusals += 1
        return True

    def _environment(self) -> dict[str, str]:
        ours = ("TELEGRAM_", "DATABASE_", "OPENAI_", "REMINDER_", "WEBHOOK_", "ADMIN_")
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        return {
            **inherited,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.telegram.base,
            "DATABASE_URL": self.database_url,
            "REMINDER_OFFSETS": OFFSETS,
            "REMINDER_SWEEP_SECONDS": "1",
            "REMINDER_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "WARNING",
        }


# -- the run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    user_id: int
    label: str
    update_id: int
    sent_at: float
    countdown: int


@dataclass(frozen=True)
class OrderRow:
    id: int
    user_id: int
    label: str
    created_at: datetime


@dataclass(frozen=True)
class ReminderState:
    id: int
    order_id: int
    chat_id: int
    due_at: datetime
    status: ReminderStatus
    lease_until: datetime | None
    tg_message_id: int | None
    in_doubt: bool
    superseded_by: int | None = None


# Settled: sent, or superseded by a later warning of the same deadline that stood for it
# (stages that fell due together while the bot was down went out as one message).
SETTLED = (ReminderStatus.SENT, ReminderStatus.SUPERSEDED)


@dataclass
class SoakRun:
    tracks: list[Track]
    kills: int
    starts: int
    lock_refusals: int
    seconds: float
    stop_code: int
    orders: list[OrderRow]
    reminders: list[ReminderState]
    calls: list[dict[str, Any]]
    handed_out: dict[int, list[float]]
    kill_times: list[float]
    finished_updates: dict[int, bool]  # processed_updates: update id → done


async def send_traffic(
    telegram: Telegram, plan: SoakPlan, began: float, tracks: list[Track]
) -> None:
    """`plan.messages` /track messages from random users at random moments."""
    rng = random.Random(plan.seed)
    users = [7_000_001 + n for n in range(plan.users)]
    moments = sorted(rng.uniform(0, plan.traffic_seconds) for _ in range(plan.messages))
    for number, moment in enumerate(moments):
        await asyncio.sleep(max(0.0, began + moment - time.monotonic()))
        user_id = rng.choice(users)
        label = f"soak-{number:04d}"
        countdown = rng.randint(*plan.countdown_seconds)
        update = await telegram.send_text(user_id, f"/track {countdown}s {label}")
        tracks.append(Track(user_id, label, update["update_id"], time.time(), countdown))


async def kill_repeatedly(bots: Bots, plan: SoakPlan, began: float, tracks: list[Track]) -> None:
    """SIGKILL at random moments until `plan.kill_seconds`; a new bot starts at once."""
    rng = random.Random(plan.seed + 1)
    await bots.start()
    while time.monotonic() - began < plan.kill_seconds or len(bots.kill_times) < plan.min_kills:
        if rng.random() < plan.early_kill_share:
            await bots.wait_for("getMe")
            await asyncio.sleep(rng.uniform(0.0, 0.5))
        else:
            await bots.wait_for("deleteWebhook")
            shortest, longest = plan.alive_seconds
            kill_at = time.time() + rng.uniform(shortest, longest)
            due = next_due(tracks, after=time.time() + shortest)
            aimed = rng.random() < plan.aimed_kill_share
            if aimed and due is not None and due < time.time() + longest:
                kill_at = due + rng.uniform(0.0, 0.25)  # claimed, maybe sent, not marked
            await asyncio.sleep(max(0.0, kill_at - time.time()))
        await bots.kill()
        await bots.start()
    await bots.wait_for("deleteWebhook")


def next_due(tracks: list[Track], after: float) -> float | None:
    """Roughly when the next reminder stage falls due (the bot reads the countdown a
    moment after the sandbox took the message)."""
    dues = (
        track.sent_at + track.countdown - offset for track in tracks for offset in OFFSET_SECONDS
    )
    return min((due for due in dues if due > after), default=None)


async def read_database(url: str) -> tuple[list[OrderRow], list[ReminderState]]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            orders = [
                OrderRow(order.id, order.user_id, order.label, order.created_at)
                for order in await session.scalars(select(Order))
            ]
            reminders = [
                ReminderState(
                    row.id,
                    row.order_id,
                    row.chat_id,
                    row.due_at,
                    row.status,
                    row.lease_until,
                    row.tg_message_id,
                    row.in_doubt,
                    row.superseded_by,
                )
                for row in await session.scalars(select(Reminder))
            ]
    finally:
        await engine.dispose()
    return orders, reminders


async def read_finished_updates(url: str) -> dict[int, bool]:
    """The update ids bot/runtime/delivery.py took on, each with whether it was marked done."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            found = await session.execute(
                select(ProcessedUpdate.update_id, ProcessedUpdate.done_at.is_not(None))
            )
            return {int(update_id): bool(done) for update_id, done in found}
    finally:
        await engine.dispose()


async def settle(bots: Bots, tracks: list[Track], timeout: float) -> None:
    """The calm: until every /track was handed out and handled, and every reminder sent."""
    telegram, deadline = bots.telegram, time.monotonic() + timeout
    while True:
        bots.check_alive()
        await telegram.refresh()
        handed_out = telegram.handed_out()
        _, reminders = await read_database(bots.database_url)
        waiting = [track.label for track in tracks if track.update_id not in handed_out]
        unsent = [row.id for row in reminders if row.status not in SETTLED]
        # The bot confirms an update only once handled: settled is exact, no quiet needed.
        if not waiting and not unsent and await telegram.settled(quiet=0.0, timeout=20.0):
            # Idle now; a handler that finished meanwhile may have planned new reminders.
            _, reminders = await read_database(bots.database_url)
            if all(row.status in SETTLED for row in reminders):
                return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not settled after {timeout:.0f} s: /track not handed out {waiting}, "
                f"reminders not sent {unsent}"
            )
        await asyncio.sleep(0.2)  # reminders fall due on the clock; the database has no event


async def run_soak(
    plan: SoakPlan, database_url: str, sandbox_url: str, directory: Path
) -> SoakRun:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        telegram = Telegram(http, sandbox_url)
        bots = Bots(telegram, database_url, directory)
        tracks: list[Track] = []
        began = time.monotonic()
        traffic = asyncio.create_task(send_traffic(telegram, plan, began, tracks))
        try:
            await kill_repeatedly(bots, plan, began, tracks)
            await traffic
            calm = plan.countdown_seconds[1] + LEASE_SECONDS + 90.0
            await settle(bots, tracks, timeout=calm)
            seconds = time.monotonic() - began
            stop_code = await bots.stop()
        except BaseException:
            traffic.cancel()
            if bots.current is not None and bots.current.returncode is None:
                bots.current.kill()
                await bots.current.wait()
            raise
        await telegram.refresh()
        orders, reminders = await read_database(database_url)
        return SoakRun(
            tracks=tracks,
            kills=len(bots.kill_times),
            starts=bots.started,
            lock_refusals=bots.lock_refusals,
            seconds=seconds,
            stop_code=stop_code,
            orders=orders,
            reminders=reminders,
            calls=telegram.calls,
            handed_out=telegram.handed_out(),
            kill_times=bots.kill_times,
            finished_updates=await read_finished_updates(database_url),
        )


# -- the verdict -------------------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    answered: int = 0  # /track messages the bot confirmed with the order card
    # Orders beyond the first of a /track whose handling a kill interrupted (at least once).
    duplicates: int = 0
    repeats: int = 0  # deliveries of a reminder beyond the first
    late_seconds: float = 0.0  # the latest a reminder arrived after its due time


def judge(run: SoakRun) -> Verdict:
    verdict = Verdict()
    check_orders(run, verdict)
    check_reminders(run, verdict)
    stop = run.stop_code
    if stop != 0:
        verdict.problems.append(f"the last bot exited {stop} on SIGTERM")
    for call in run.calls:
        if call["error_code"] == 400 and not any(
            expected in (call["description"] or "") for expected in EXPECTED_400
        ):
            verdict.problems.append(f"Telegram would reject {call['method']}: {call}")
    return verdict


def check_orders(run: SoakRun, verdict: Verdict) -> None:
    orders: dict[tuple[int, str], list[OrderRow]] = defaultdict(list)
    for order in run.orders:
        orders[(order.user_id, order.label)].append(order)
    tracked = {(track.user_id, track.label) for track in run.tracks}
    for user_id, label in sorted(set(orders) - tracked):
        verdict.problems.append(f"order {label!r} of user {user_id} was never asked for")
    answered = {
        (call["params"]["chat_id"], label)
        for call in run.calls
        if call["method"] == "sendMessage" and call["ok"]
        for label in re.findall(r"soak-\d+", call["params"].get("text", ""))
        if call["params"]["text"].startswith(TRACKING)
    }
    verdict.answered = len(answered)
    if not answered:
        verdict.problems.append("no /track was answered (or the answers are not recognised)")
    for track in run.tracks:
        key = (track.user_id, track.label)
        made = sorted(orders.get(key, []), key=lambda order: order.created_at)
        handed_out = run.handed_out.get(track.update_id, [])
        if not handed_out:
            verdict.problems.append(f"/track {track.label} was never handed to the bot")
            continue
        if not made:
            verdict.problems.append(
                f"/track {track.label} was lost: no order, handed out {len(handed_out)} time(s)"
            )
        if key not in answered:
            verdict.problems.append(f"/track {track.label} was never answered")
        if not run.finished_updates.get(track.update_id, False):
            verdict.problems.append(f"/track {track.label}: its update was not marked done")
        for first, second in itertools.pairwise(made):
            if not interrupted_by_a_kill(first, second, run.kill_times, handed_out):
                verdict.problems.append(
                    f"/track {track.label} made {len(made)} orders, and no kill interrupted "
                    f"its handling between orders {first.id} and {second.id}"
                )
        verdict.duplicates += max(0, len(made) - 1)


def interrupted_by_a_kill(
    first: OrderRow, second: OrderRow, kill_times: list[float], handed_out: list[float]
) -> bool:
    """A second order for one /track is at-least-once at work only if a bot was killed
    after saving the first and before the update was finished (so Telegram handed it out
    again after the kill, and the next bot saved the second)."""
    saved, again = first.created_at.timestamp(), second.created_at.timestamp()
    return any(
        saved < kill < again and any(kill < time <= again for time in handed_out)
        for kill in kill_times
    )


@dataclass
class Delivery:
    time: float
    marked: bool
    message_id: int


def check_reminders(run: SoakRun, verdict: Verdict) -> None:
    # A reminder names its order by label only, so the orders of one /track (a duplicate
    # made by at-least-once) are checked together: each row's own message is still told
    # apart by its message id.
    track_of = {order.id: (order.user_id, order.label) for order in run.orders}
    rows_of: dict[tuple[int, str], list[ReminderState]] = defaultdict(list)
    for row in run.reminders:
        rows_of[track_of[row.order_id]].append(row)
    deliveries: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for call in run.calls:
        text = call["params"].get("text", "") if call["method"] == "sendMessage" else ""
        match = REMINDER.search(text)
        if not (call["ok"] and match):
            continue
        track = (call["params"]["chat_id"], match.group(1))
        if track not in rows_of:
            verdict.problems.append(f"a reminder for an unknown order: {text[:80]!r}")
            continue
        marked = text.startswith(REPEAT)
        deliveries[track].append(Delivery(call["time"], marked, call["result"]["message_id"]))
    now = datetime.now(UTC)
    for row in run.reminders:
        if (
            row.status == ReminderStatus.SENDING
            and row.lease_until is not None
            and row.lease_until < now
        ):
            verdict.problems.append(f"reminder {row.id} left in 'sending', its lease expired")
        elif row.status not in SETTLED:
            verdict.problems.append(f"reminder {row.id} ended {row.status.value!r}, not sent")
    by_id = {row.id: row for row in run.reminders}
    for row in run.reminders:
        if row.status != ReminderStatus.SUPERSEDED:
            continue
        standing = by_id.get(row.superseded_by or 0)
        if standing is None or standing.order_id != row.order_id or standing.status not in SETTLED:
            verdict.problems.append(f"reminder {row.id} superseded by no message of its order")
    for (user_id, label), rows in rows_of.items():
        check_order_deliveries(label, rows, deliveries.get((user_id, label), []), verdict)


def check_order_deliveries(
    label: str, rows: list[ReminderState], sends: list[Delivery], verdict: Verdict
) -> None:
    """Each row's own message (its tg_message_id) on time; every other send of this order's
    reminders is one a killed process never marked, of a row that was in doubt."""
    by_message = {send.message_id: send for send in sends}
    own: dict[int, Delivery] = {}
    for row in rows:
        send = by_message.get(row.tg_message_id) if row.tg_message_id is not None else None
        if send is None:
            if row.status == ReminderStatus.SENT:
                verdict.problems.append(f"reminder {row.id}: its message never arrived")
            continue
        own[row.id] = send
        late = send.time - row.due_at.timestamp()
        if late < -EARLY_TOLERANCE:
            verdict.problems.append(f"reminder {row.id} sent {-late:.3f} s before it was due")
        verdict.late_seconds = max(verdict.late_seconds, late)
        if send.marked != row.in_doubt:
            verdict.problems.append(
                f"reminder {row.id}: in doubt {row.in_doubt} but marked repeat {send.marked}"
            )
    extras = [send for send in sends if send not in own.values()]
    verdict.repeats += len(extras)

    def fits(send: Delivery, row: ReminderState) -> bool:
        # An earlier send of a row that was then in doubt: after it was due, before the
        # row's own (marked) message, or the one of the row that stood for it.
        mine = own.get(row.id)
        if mine is None and row.superseded_by is not None:
            mine = own.get(row.superseded_by)
        return (
            row.in_doubt
            and mine is not None
            and row.due_at.timestamp() - EARLY_TOLERANCE <= send.time <= mine.time
        )

    for send in extras:
        if send.marked and not any(fits(send, row) for row in rows):
            verdict.problems.append(f"order {label}: a repeat no row in doubt explains")
    # Each row went out unmarked at most once (before it was in doubt): match those sends
    # to distinct rows.
    unmarked = [send for send in extras if not send.marked]
    if not _match(unmarked, rows, fits):
        verdict.problems.append(
            f"order {label}: {len(unmarked)} unmarked duplicate(s) of {len(rows)} "
            "reminder(s) (a duplicate must be labelled as a repeat)"
        )


def _match(
    sends: list[Delivery],
    rows: list[ReminderState],
    fits: Callable[[Delivery, ReminderState], bool],
) -> bool:
    """A matching of every send to a distinct row it fits (augmenting paths; tiny sizes)."""
    owner: dict[int, int] = {}  # row index → send index

    def place(index: int, seen: set[int]) -> bool:
        for slot, row in enumerate(rows):
            if slot in seen or not fits(sends[index], row):
                continue
            seen.add(slot)
            if slot not in owner or place(owner[slot], seen):
                owner[slot] = index
                return True
        return False

    return all(place(index, set()) for index in range(len(sends)))


def report(run: SoakRun, verdict: Verdict, name: str) -> str:
    sent = sum(1 for row in run.reminders if row.status == ReminderStatus.SENT)
    waits = f", {run.lock_refusals} refused for the SQLite lock" if run.lock_refusals else ""
    return (
        f"{name}: {run.seconds:.0f} s, {run.kills} SIGKILLs ({run.starts} starts{waits}); "
        f"{len(run.tracks)} /track: "
        f"{len(run.orders)} orders ({verdict.duplicates} duplicate(s) of a /track a kill "
        f"interrupted), {verdict.answered} answered; {sent}/{len(run.reminders)} reminders sent, "
        f"{verdict.repeats} repeat(s), "
        f"latest {verdict.late_seconds:.1f} s after due"
    )


async def soak(
    plan: SoakPlan,
    database_url: str,
    sandbox_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    run = await run_soak(plan, database_url, sandbox_url, tmp_path)
    verdict = judge(run)
    with capsys.disabled():  # in CI's log even when the test passes
        print(f"\n{report(run, verdict, name)}")
    assert not verdict.problems, "\n".join(verdict.problems[:50])
    assert run.reminders, "no reminder fell due"


async def test_soak_sigkill_the_real_bot_loses_nothing(
    database_url: str, sandbox_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    await soak(SHORT, database_url, sandbox_url, tmp_path, capsys, f"soak {backend}")


@pytest.mark.soak
@pytest.mark.skipif(os.environ.get("RUN_SOAK") != "1", reason="set RUN_SOAK=1 for the soak")
async def test_long_soak_sigkill_the_real_bot_for_minutes_loses_nothing(
    database_url: str, sandbox_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    await soak(long_plan(), database_url, sandbox_url, tmp_path, capsys, f"soak {backend}")
