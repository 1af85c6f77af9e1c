"""The reminder engine: the database is the truth, APScheduler (PTB's JobQueue) only the clock.

Every planned message is a `reminders` row. A periodic sweep claims due rows with a lease,
one sender delivers them under our own flood limits, and each row is marked right after
Telegram accepted it. The guarantees, and what each piece below is for:

- **Never lost.** A row leaves `pending` only for a final state written after the outcome
  is known (`sent`, `failed`, `cancelled`) or for `paused` while the user blocks the bot.
  A process that dies holding a claim loses nothing: its lease expires and the next sweep
  (of any process) takes the row back, flagged `in_doubt`.
- **Late is never skipped.** A due row is claimed however late it is; the render callback
  sees `due_at`/`deadline_at` and words it accordingly.
- **Never sent twice by two workers.** Claims are atomic (PostgreSQL `FOR UPDATE SKIP
  LOCKED`; SQLite `BEGIN IMMEDIATE` and one writer) and every later write is fenced by
  the claim token, so a worker whose lease was taken over cannot overwrite the new owner.
- **Duplicates only when in doubt, and visibly.** Telegram has no idempotency key, so a
  send whose fate is unknown (timeout after the request went out, death before the mark)
  is repeated once the row is reclaimed, and the render callback gets `in_doubt=True` to
  say "(repeat)". The window is kept small: nothing is awaited between a successful send
  and the mark.
- **Within Telegram's flood limits.** Our own token buckets: 25 messages/s overall (30 is
  the ceiling) and 1/s per chat (AIORateLimiter has no per-private-chat limit).
- **Memory independent of the backlog.** Start-up reads nothing; a sweep claims at most
  one batch, and only as much as the sender has room for, so claimed rows never wait
  long enough for their lease to run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import fcntl
import heapq
import logging
import os
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

import httpx
from apscheduler.jobstores.base import JobLookupError  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import ReturningUpdate
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.db.models import Reminder
from bot.db.users import set_blocked

if TYPE_CHECKING:
    from telegram.ext import CallbackContext, Job, JobQueue

    from bot.config import Settings

# RetryAfter.retry_after as a timedelta (the int form warns since PTB 22.2); bot.app sets
# the same, this keeps the engine right when used on its own (tests, benchmarks).
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
CANCELLED = "cancelled"
PAUSED = "paused"
STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED, PAUSED)

LAST_ERROR_LENGTH = 200
# Writes that decide whether a reminder is repeated are retried briefly when the database
# is busy: a lost "sent" mark turns into a duplicate after the lease expires.
WRITE_RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0)
ALERT_COALESCE_SECONDS = 1.0
ALERT_MAX_LINES = 20
TELEGRAM_TEXT_LIMIT = 4096
_TOKEN_IN_TEXT = re.compile(r"bot\d+:[A-Za-z0-9_-]+")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- public data types -------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderRow:
    """What the render callback learns about a claimed reminder.

    `attempts` counts this attempt. `in_doubt` means an earlier send may have reached the
    user: the text should say it is a repeat.
    """

    id: int
    order_id: int
    user_id: int
    chat_id: int
    kind: str
    deadline_at: datetime | None
    due_at: datetime
    attempts: int
    in_doubt: bool


@dataclass(frozen=True)
class RenderedReminder:
    """The message for one reminder (HTML; the render callback escapes what it inserts)."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None


RenderReminder = Callable[[ReminderRow, AsyncSession], Awaitable[RenderedReminder | None]]


@dataclass(frozen=True)
class EngineConfig:
    """Tuning of the engine. Defaults are for production; tests shrink the times."""

    # How often the database is swept; new reminders due sooner wake the engine early.
    sweep_seconds: float = 10.0
    # How long a claim is owned. A process that dies holding it delays its rows this long.
    lease_seconds: float = 120.0
    batch_size: int = 100
    # Telegram allows about 30 messages/s overall; 25 leaves room for handlers' replies.
    global_per_second: float = 25.0
    global_burst: int = 1
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 1
    # Concurrent sendMessage requests: one at a time caps throughput at 1/RTT.
    max_in_flight: int = 8
    max_attempts: int = 10
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 600.0
    # How long stop() lets running sends finish so they can be marked.
    stop_timeout_seconds: float = 15.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> EngineConfig:
        config = cls(
            sweep_seconds=settings.reminder_sweep_seconds,
            lease_seconds=settings.reminder_lease_seconds,
        )
        return replace(config, **overrides)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @property
    def lease_margin(self) -> timedelta:
        """A queued row whose lease has less than this left is handed back, not sent."""
        return timedelta(seconds=self.lease_seconds / 8)

    def backoff(self, attempts: int) -> timedelta:
        """Exponential back-off with jitter, so many failed rows do not retry in step."""
        exponent = min(max(attempts - 1, 0), 30)
        ceiling = min(self.backoff_max_seconds, self.backoff_base_seconds * 2**exponent)
        return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))


# -- SQL -----------------------------------------------------------------------------------

# Status tests are rendered as literals, not bound parameters: both PostgreSQL (generic
# plans of prepared statements) and SQLite use a partial index only when the query's WHERE
# visibly implies the index's `status = 'pending'` / `status = 'sending'`.
_IS_PENDING = Reminder.status == literal_column(f"'{PENDING}'")
_IS_SENDING = Reminder.status == literal_column(f"'{SENDING}'")
_NO_SYNC = {"synchronize_session": False}
_ROW_COLUMNS = (
    Reminder.id,
    Reminder.order_id,
    Reminder.user_id,
    Reminder.chat_id,
    Reminder.kind,
    Reminder.deadline_at,
    Reminder.due_at,
    Reminder.attempts,
    Reminder.in_doubt,
)


@dataclass(frozen=True)
class Claim:
    """A row this process owns until `lease_until`, proven by `token`."""

    row: ReminderRow
    token: str
    lease_until: datetime

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.row.due_at, self.row.id)


def _is_due(now: datetime) -> ColumnElement[bool]:
    return and_(
        _IS_PENDING,
        Reminder.due_at <= now,
        or_(Reminder.next_attempt_at.is_(None), Reminder.next_attempt_at <= now),
    )


async def reclaim_expired(
    session: AsyncSession, now: datetime, keep_tokens: Collection[str] = ()
) -> list[int]:
    """Put `sending` rows whose lease ran out back to `pending`, flagged in doubt.

    Their owner died (or stalled) somewhere between claim and mark: the message may or
    may not have gone out. `keep_tokens` are claims this process still holds (a clock that
    jumped forward must not make us take our own rows twice).
    """
    condition = and_(_IS_SENDING, Reminder.lease_until < now)
    if keep_tokens:
        condition = and_(condition, Reminder.claim_token.not_in(list(keep_tokens)))
    statement = (
        update(Reminder)
        .where(condition)
        .values(status=PENDING, in_doubt=True, claim_token=None, lease_until=None)
        .values(next_attempt_at=None)
        .returning(Reminder.id)
        .execution_options(**_NO_SYNC)
    )
    return list((await session.scalars(statement)).all())


async def claim_due(
    session: AsyncSession, now: datetime, *, limit: int, token: str, lease: timedelta
) -> list[Claim]:
    """Atomically take up to `limit` due rows, earliest first.

    PostgreSQL: the inner SELECT locks with SKIP LOCKED, so concurrent sweepers take
    disjoint rows without waiting. SQLite renders no FOR UPDATE; the transaction is
    BEGIN IMMEDIATE (bot.db.engine), so sweeps are serialised by the write lock.
    """
    # The chosen ids are a materialised CTE joined by UPDATE … FROM. Written as
    # `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`, PostgreSQL may run the subquery
    # again for outer rows, and with SKIP LOCKED each run picks other rows: one sweep then
    # claimed 900 rows with LIMIT 50 in our tests.
    due = (
        select(Reminder.id)
        .where(_is_due(now))
        .order_by(Reminder.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    lease_until = now + lease
    statement = (
        update(Reminder)
        .where(Reminder.id == due.c.id)
        .values(
            status=SENDING,
            claim_token=token,
            lease_until=lease_until,
            attempts=Reminder.attempts + 1,
        )
        .returning(*_ROW_COLUMNS)
        .execution_options(**_NO_SYNC)
    )
    # Every RETURNING row is read before the transaction commits.
    rows = (await session.execute(statement)).all()
    claims = [Claim(ReminderRow(*row), token, lease_until) for row in rows]
    return sorted(claims, key=lambda claim: claim.sort_key)


async def next_due_at(session: AsyncSession, now: datetime) -> datetime | None:
    """The earliest future due_at (one step down the partial index)."""
    statement = select(func.min(Reminder.due_at)).where(_IS_PENDING, Reminder.due_at > now)
    return (await session.scalars(statement)).one()


def _owned(claim: Claim) -> ColumnElement[bool]:
    """The fence: only the holder of the current claim may settle the row."""
    return and_(Reminder.id == claim.row.id, Reminder.claim_token == claim.token, _IS_SENDING)


Settle = ReturningUpdate[tuple[int]]


def _settle(claim: Claim, **values: Any) -> Settle:
    return (
        update(Reminder)
        .where(_owned(claim))
        .values(claim_token=None, lease_until=None, **values)
        .returning(Reminder.id)
        .execution_options(**_NO_SYNC)
    )


def mark_sent(claim: Claim, message_id: int, now: datetime) -> Settle:
    return _settle(claim, status=SENT, sent_at=now, tg_message_id=message_id, last_error=None)


def mark_cancelled(claim: Claim) -> Settle:
    return _settle(claim, status=CANCELLED)


def mark_failed(claim: Claim, error: str) -> Settle:
    return _settle(claim, status=FAILED, last_error=error[:LAST_ERROR_LENGTH])


def reschedule(
    claim: Claim,
    at: datetime | None,
    *,
    error: str | None,
    in_doubt: bool,
    count_attempt: bool = True,
) -> Settle:
    """Back to pending, to be claimed again from `at` on (None: at once).

    `count_attempt=False` gives back the attempt the claim counted: the send did not
    happen (flood wait, rows handed back unsent).
    """
    attempts = Reminder.attempts if count_attempt else Reminder.attempts - 1
    return _settle(
        claim,
        status=PENDING,
        next_attempt_at=at,
        last_error=error,
        in_doubt=in_doubt,
        attempts=attempts,
    )


async def pause_user_reminders(
    session: AsyncSession, user_id: int, claims: Iterable[Claim], error: str
) -> int:
    """The user blocked the bot: hold their pending rows and the given claims.

    The claims' attempts are given back: a block says nothing about the reminder, and a
    user who blocks and unblocks a few times must not use up its attempts.
    """
    paused = 0
    for claim in claims:
        pause = _settle(claim, status=PAUSED, last_error=error, attempts=Reminder.attempts - 1)
        result = await session.scalars(pause)
        paused += len(result.all())
    statement = (
        update(Reminder)
        .where(Reminder.user_id == user_id, _IS_PENDING)
        .values(status=PAUSED)
        .returning(Reminder.id)
        .execution_options(**_NO_SYNC)
    )
    paused += len((await session.scalars(statement)).all())
    return paused


async def resume_user_reminders(session: AsyncSession, user_id: int) -> list[datetime]:
    """Paused rows of the user back to pending; returns their due times."""
    statement = (
        update(Reminder)
        .where(Reminder.user_id == user_id, Reminder.status == PAUSED)
        .values(status=PENDING, next_attempt_at=None)
        .returning(Reminder.due_at)
        .execution_options(**_NO_SYNC)
    )
    return list((await session.scalars(statement)).all())


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """How many reminders are in each state (every state present, zeros included)."""
    statement = select(Reminder.status, func.count()).group_by(Reminder.status)
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in (await session.execute(statement)).all():
        counts[status] = count
    return counts


async def deadlines_missed(session: AsyncSession, now: datetime) -> int:
    """Orders whose deadline passed without any reminder reaching the user in time.

    The product's failure count: an order counts when a reminder for a deadline that is
    already over is still unsent (pending, sending, paused, failed) or went out late, and
    no reminder of that order was sent before its deadline. Cancelled rows (the user acted,
    the deadline moved) do not count.
    """
    late = aliased(Reminder, name="late")
    on_time = aliased(Reminder, name="on_time")
    sent_in_time = (
        select(on_time.id)
        .where(
            on_time.order_id == late.order_id,
            on_time.status == SENT,
            on_time.sent_at <= on_time.deadline_at,
        )
        .exists()
    )
    unsent = late.status.in_([PENDING, SENDING, PAUSED, FAILED])
    sent_late = and_(late.status == SENT, late.sent_at > late.deadline_at)
    statement = select(func.count(func.distinct(late.order_id))).where(
        late.deadline_at <= now, or_(unsent, sent_late), ~sent_in_time
    )
    return (await session.scalars(statement)).one()


# -- sending errors ----------------------------------------------------------------------


class SendOutcome(enum.Enum):
    """What a failed sendMessage means for the reminder."""

    FLOOD = "flood"  # 429: not delivered; wait as told, attempt not counted
    BLOCKED = "blocked"  # 403: the user blocked the bot; hold until they write again
    REJECTED = "rejected"  # 400 and kin: our request is wrong; retrying cannot help
    NOT_SENT = "not_sent"  # the request never reached Telegram or was refused: retry
    IN_DOUBT = "in_doubt"  # the request went out, the answer got lost: retry as repeat


# httpx errors raised before a byte of the request left: the message cannot have arrived.
_BEFORE_SENDING = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def classify_send_error(error: TelegramError) -> SendOutcome:
    if isinstance(error, RetryAfter):
        return SendOutcome.FLOOD
    if isinstance(error, Forbidden):
        return SendOutcome.BLOCKED
    if isinstance(error, BadRequest | ChatMigrated):
        return SendOutcome.REJECTED
    if isinstance(error, NetworkError):
        cause = error.__cause__
        if isinstance(cause, _BEFORE_SENDING):
            return SendOutcome.NOT_SENT
        if isinstance(error, TimedOut) or isinstance(cause, httpx.HTTPError):
            # Read/write timeouts and dropped connections: Telegram may have delivered.
            return SendOutcome.IN_DOUBT
        # An HTTP answer with an error status (500, 502): Telegram refused it.
        return SendOutcome.NOT_SENT
    # InvalidToken, Conflict, unknown errors: not about this row; retry and let the
    # attempt limit and the admin alert surface a lasting problem.
    return SendOutcome.NOT_SENT


def retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def describe_error(error: BaseException) -> str:
    """A short, log-safe description (a bot token in an error text is masked)."""
    text = f"{type(error).__name__}: {error}"
    return _TOKEN_IN_TEXT.sub("bot<token>", text)[:LAST_ERROR_LENGTH]


# -- rate limiting -----------------------------------------------------------------------


class TokenBucket:
    """Tokens refill at `rate` per second up to `burst`; time is monotonic seconds."""

    __slots__ = ("_burst", "_rate", "_tokens", "_updated")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self._rate = rate
        self._burst = float(max(burst, 1))
        self._tokens = self._burst
        self._updated = now

    def wait_time(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self._tokens >= 1.0 else (1.0 - self._tokens) / self._rate

    def take(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1.0

    def drain_until(self, until: float, now: float) -> None:
        """Hold the bucket empty until `until` (Telegram told us to wait)."""
        self._refill(now)
        self._tokens = min(self._tokens, 1.0 - max(until - now, 0.0) * self._rate)

    def is_full(self, now: float) -> bool:
        self._refill(now)
        return self._tokens >= self._burst

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
        self._updated = now


class FloodLimiter:
    """One global bucket and one bucket per chat, the shape of Telegram's limits."""

    PRUNE_ABOVE = 10_000

    def __init__(self, config: EngineConfig, clock: Callable[[], float] = time.monotonic):
        self._config = config
        self._clock = clock
        self._global = TokenBucket(config.global_per_second, config.global_burst, clock())
        self._chats: dict[int, TokenBucket] = {}

    def now(self) -> float:
        return self._clock()

    def chat_wait(self, chat_id: int, now: float) -> float:
        bucket = self._chats.get(chat_id)
        return 0.0 if bucket is None else bucket.wait_time(now)

    def global_wait(self, now: float) -> float:
        return self._global.wait_time(now)

    def take(self, chat_id: int, now: float) -> None:
        self._global.take(now)
        self._chat_bucket(chat_id, now).take(now)

    def hold(self, chat_id: int, seconds: float) -> None:
        """After a 429 nothing more goes out for `seconds`: to this chat, nor at all,
        since the answer does not say which limit was hit and ignoring it risks a ban."""
        now = self._clock()
        self._chat_bucket(chat_id, now).drain_until(now + seconds, now)
        self._global.drain_until(now + seconds, now)

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > self.PRUNE_ABOVE:
                self._prune(now)
            config = self._config
            bucket = TokenBucket(config.per_chat_per_second, config.per_chat_burst, now)
            self._chats[chat_id] = bucket
        return bucket

    def _prune(self, now: float) -> None:
        # A full bucket behaves exactly like a missing one.
        self._chats = {chat: b for chat, b in self._chats.items() if not b.is_full(now)}


# -- the queue between sweeps and sends --------------------------------------------------


class Outbox:
    """Claimed rows waiting for their turn, earliest due first, plus rows being sent."""

    def __init__(self) -> None:
        self._queued: list[Claim] = []
        self._busy_chats: set[int] = set()
        self._tokens: Counter[str] = Counter()
        self._changed = asyncio.Event()

    def __len__(self) -> int:
        return len(self._queued)

    @property
    def held(self) -> int:
        """Rows claimed and not yet settled: queued or being sent."""
        return sum(self._tokens.values())

    @property
    def live_tokens(self) -> set[str]:
        return set(self._tokens)

    def add(self, claims: Sequence[Claim]) -> None:
        for claim in claims:
            self._tokens[claim.token] += 1
        self._queued = sorted([*self._queued, *claims], key=lambda claim: claim.sort_key)
        self._changed.set()

    def pick(self, limits: FloodLimiter, now: float) -> tuple[Claim | None, float | None]:
        """The earliest row whose chat may receive now, else how long until one may.

        A chat with a send in flight is skipped, so one chat's reminders stay in order.
        """
        # Cleared before looking, so a row added after this look wakes the waiter.
        self._changed.clear()
        soonest: float | None = None
        for index, claim in enumerate(self._queued):
            chat_id = claim.row.chat_id
            if chat_id in self._busy_chats:
                continue
            wait = limits.chat_wait(chat_id, now)
            if wait <= 0:
                del self._queued[index]
                self._busy_chats.add(chat_id)
                return claim, None
            soonest = wait if soonest is None else min(soonest, wait)
        return None, soonest

    def put_back(self, claim: Claim) -> None:
        """Undo `pick` (the sender was stopped before it could send)."""
        self._busy_chats.discard(claim.row.chat_id)
        self._queued = sorted([*self._queued, claim], key=lambda queued: queued.sort_key)
        self._changed.set()

    def take_expiring(self, before: datetime) -> list[Claim]:
        """Remove queued rows whose lease ends before `before`."""
        expiring = [claim for claim in self._queued if claim.lease_until < before]
        if expiring:
            self._queued = [claim for claim in self._queued if claim.lease_until >= before]
        return expiring

    def take_user(self, user_id: int) -> list[Claim]:
        taken = [claim for claim in self._queued if claim.row.user_id == user_id]
        if taken:
            self._queued = [claim for claim in self._queued if claim.row.user_id != user_id]
        return taken

    def take_all(self) -> list[Claim]:
        taken, self._queued = self._queued, []
        return taken

    def done(self, claim: Claim, *, sending: bool) -> None:
        """The row is settled (or handed back); `sending` if it was picked for sending."""
        if sending:
            self._busy_chats.discard(claim.row.chat_id)
        self._tokens[claim.token] -= 1
        if self._tokens[claim.token] <= 0:
            del self._tokens[claim.token]
        self._changed.set()

    async def wait_for_change(self, timeout: float | None) -> None:
        """Wait until rows are added or settled since the last `pick`, or `timeout`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)


# -- admin alerts --------------------------------------------------------------------------


class AdminAlerts:
    """Tells the admins when a reminder failed for good. Never raises.

    Lines are gathered for a moment and sent as one message, so a storm of failures
    (a broken template fails every reminder) is a few messages, not thousands.
    """

    def __init__(self, bot: Bot, admin_ids: Collection[int]) -> None:
        self._bot = bot
        self._admin_ids = tuple(sorted(admin_ids))
        self._lines: list[str] = []
        self._task: asyncio.Task[None] | None = None

    def notify(self, line: str) -> None:
        log.error("reminder alert: %s", line)
        if not self._admin_ids:
            return
        self._lines.append(line)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush_later(), name="reminder-alerts")

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, ALERT_COALESCE_SECONDS + 10)

    async def _flush_later(self) -> None:
        await asyncio.sleep(ALERT_COALESCE_SECONDS)
        while self._lines:
            lines, self._lines = self._lines, []
            await self._send(self._compose(lines))

    @staticmethod
    def _compose(lines: list[str]) -> str:
        shown = lines[:ALERT_MAX_LINES]
        text = "⚠️ Reminder engine\n" + "\n".join(f"• {line}" for line in shown)
        if len(lines) > len(shown):
            text += f"\n… and {len(lines) - len(shown)} more (see the log)"
        return text[:TELEGRAM_TEXT_LIMIT]

    async def _send(self, text: str) -> None:
        for admin_id in self._admin_ids:
            try:
                # Plain text: error descriptions may contain '<' and must not be parsed.
                await self._bot.send_message(admin_id, text, parse_mode=None)
            except TelegramError as error:
                log.warning("could not alert admin %s: %s", admin_id, describe_error(error))


# -- the engine ----------------------------------------------------------------------------


class ReminderEngine:
    """Claims due reminders, sends them within Telegram's limits and records the outcome.

    Wiring (bot.app): `await engine.start(application.job_queue)` in post_init,
    `await engine.stop()` in post_shutdown (before the database engine is disposed),
    `engine.note_new_due(due_at)` after committing new reminders, and
    `await engine.resume_user(user_id)` when a user who had blocked the bot writes again.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bot: Bot,
        render: RenderReminder,
        config: EngineConfig | None = None,
        *,
        clock: Clock = utc_now,
        admin_ids: Collection[int] = (),
    ) -> None:
        self._sessions = sessions
        self._bot = bot
        self._render = render
        self._config = config or EngineConfig()
        self._clock = clock
        self._limits = FloodLimiter(self._config)
        self._outbox = Outbox()
        self._alerts = AdminAlerts(bot, admin_ids)
        self._slots = asyncio.Semaphore(self._config.max_in_flight)
        self._sweep_lock = asyncio.Lock()
        self._deliveries: set[asyncio.Task[None]] = set()
        self._sender: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._job: Job[Any] | None = None
        self._wake_task: asyncio.Task[None] | None = None
        self._wake_requested = False
        self._wake_times: list[float] = []
        self._wake_timer: asyncio.TimerHandle | None = None
        self._more_due = False
        self._running = False
        # Counts of what happened (claimed, sent, reclaimed, flood, in_doubt, …).
        self.stats: Counter[str] = Counter()

    @property
    def config(self) -> EngineConfig:
        return self._config

    @property
    def running(self) -> bool:
        return self._running

    @property
    def held(self) -> int:
        """Rows this engine has claimed and not yet settled."""
        return self._outbox.held

    # -- lifecycle -------------------------------------------------------------------

    async def start(self, job_queue: JobQueue[Any] | None = None) -> None:
        """Start sending, and sweep every `sweep_seconds` on the JobQueue's clock.

        Reads nothing from the database: the first sweep claims at most one batch. Without
        a JobQueue (scripts, benchmarks) a plain asyncio loop ticks instead.
        """
        if self._running:
            return
        self._running = True
        self._sender = asyncio.create_task(self._send_loop(), name="reminder-sender")
        if job_queue is None:
            self._ticker = asyncio.create_task(self._tick_loop(), name="reminder-ticker")
            return
        self._job = job_queue.run_repeating(
            self._on_tick,
            interval=self._config.sweep_seconds,
            name="reminder-sweep",
            # The scheduler is only the clock: a late tick is still wanted (no misfire
            # skipping), and ticks that piled up are one sweep, never two at once.
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        # APScheduler cannot start an interval job at once (PTB documents first=0 as not
        # working): the first sweep, for what fell due while the bot was down, is a wake.
        self.wake()

    async def stop(self) -> None:
        """Let running sends finish (so they are marked), hand queued rows back, stop."""
        if not self._running:
            return
        self._running = False
        if self._job is not None:
            # Application.stop() may already have shut the JobQueue down with its jobs.
            with contextlib.suppress(JobLookupError):
                self._job.schedule_removal()
            self._job = None
        self._cancel_wake_timer()
        # Cancelling a sweep between its commit and handing the rows to the outbox would
        # strand them until their lease ends: wait for a running sweep instead.
        async with self._sweep_lock:
            for task in (self._sender, self._ticker, self._wake_task):
                if task is not None:
                    task.cancel()
            await asyncio.gather(
                *(t for t in (self._sender, self._ticker, self._wake_task) if t is not None),
                return_exceptions=True,
            )
        await self._finish_deliveries()
        await self._release(self._outbox.take_all())
        await self._alerts.close()

    async def _finish_deliveries(self) -> None:
        if not self._deliveries:
            return
        _, unfinished = await asyncio.wait(
            set(self._deliveries), timeout=self._config.stop_timeout_seconds
        )
        # Still running: the send's fate is unknown, so the row must stay `sending` and
        # come back in doubt after its lease, which is what cancelling leaves behind.
        for task in unfinished:
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished)

    # -- waking ----------------------------------------------------------------------

    async def _on_tick(self, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        await self.sweep()

    async def _tick_loop(self) -> None:
        while True:
            await self.sweep()
            await asyncio.sleep(self._config.sweep_seconds)

    def wake(self) -> None:
        """Sweep now (call from the event loop's thread), besides the periodic sweeps."""
        if not self._running:
            return
        self._wake_requested = True
        if self._wake_task is None or self._wake_task.done():
            self._wake_task = asyncio.create_task(self._sweep_while_asked(), name="reminder-wake")

    async def _sweep_while_asked(self) -> None:
        # A wake during a sweep may concern a row that sweep already passed: sweep again.
        while self._wake_requested and self._running:
            self._wake_requested = False
            await self.sweep()

    def note_new_due(self, due_at: datetime) -> None:
        """A reminder due at `due_at` was committed: make sure it is not swept late.

        Due now: sweep now. Due before the next periodic sweep: a timer wakes the engine
        then. Later: the periodic sweeps will find it.
        """
        if not self._running:
            return
        delay = (due_at - self._clock()).total_seconds()
        if delay <= 0:
            self.wake()
        elif delay < self._config.sweep_seconds:
            self._wake_at(asyncio.get_running_loop().time() + delay)

    def _wake_at(self, loop_time: float) -> None:
        heapq.heappush(self._wake_times, loop_time)
        if self._wake_timer is None or self._wake_timer.when() > loop_time:
            self._arm_wake_timer()

    def _arm_wake_timer(self) -> None:
        self._cancel_wake_timer()
        if self._wake_times:
            loop = asyncio.get_running_loop()
            self._wake_timer = loop.call_at(self._wake_times[0], self._on_wake_timer)

    def _on_wake_timer(self) -> None:
        self._wake_timer = None
        now = asyncio.get_running_loop().time()
        while self._wake_times and self._wake_times[0] <= now + 0.001:
            heapq.heappop(self._wake_times)
        self.wake()
        self._arm_wake_timer()

    def _cancel_wake_timer(self) -> None:
        if self._wake_timer is not None:
            self._wake_timer.cancel()
            self._wake_timer = None

    # -- sweeping --------------------------------------------------------------------

    async def sweep(self) -> int:
        """Reclaim expired leases and claim as many due rows as the sender has room for.

        Returns the number of rows claimed. Errors are logged, never raised: the next
        sweep tries again.
        """
        async with self._sweep_lock:
            if not self._running:
                return 0
            try:
                return await self._sweep()
            except Exception:
                log.exception("reminder sweep failed; the next sweep tries again")
                return 0

    async def _sweep(self) -> int:
        now = self._clock()
        # Rows being sent count too: nothing claimed may wait long enough to lose its lease.
        room = self._config.batch_size - self._outbox.held
        claims: list[Claim] = []
        async with self._sessions.begin() as session:
            reclaimed = await reclaim_expired(session, now, self._outbox.live_tokens)
            if room > 0:
                claims = await claim_due(
                    session, now, limit=room, token=str(uuid.uuid4()), lease=self._config.lease
                )
            upcoming = await next_due_at(session, now)
        if reclaimed:
            self.stats["reclaimed"] += len(reclaimed)
            log.warning(
                "%d reminder(s) reclaimed in doubt after their lease expired", len(reclaimed)
            )
        # A full claim, or no room to claim at all, means more may be due: the sender
        # wakes the next sweep once it has room, instead of idling until the next tick.
        self._more_due = len(claims) == room or room <= 0
        if claims:
            self.stats["claimed"] += len(claims)
            self._outbox.add(claims)
        if upcoming is not None:
            self.note_new_due(upcoming)
        self.stats["sweeps"] += 1  # completed ones
        return len(claims)

    # -- sending ---------------------------------------------------------------------

    async def _send_loop(self) -> None:
        while True:
            await self._slots.acquire()
            try:
                claim = await self._next_claim()
            except BaseException:
                self._slots.release()
                raise
            task = asyncio.create_task(self._deliver(claim), name=f"reminder-{claim.row.id}")
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)

    async def _next_claim(self) -> Claim:
        """The next row to send, once both its chat's and the global bucket allow it."""
        while True:
            await self._hand_back_expiring()
            claim, chat_wait = self._outbox.pick(self._limits, self._limits.now())
            if claim is None:
                await self._outbox.wait_for_change(chat_wait)
                continue
            try:
                await asyncio.sleep(self._limits.global_wait(self._limits.now()))
            except asyncio.CancelledError:
                self._outbox.put_back(claim)
                raise
            self._limits.take(claim.row.chat_id, self._limits.now())
            return claim

    async def _hand_back_expiring(self) -> None:
        """Rows that waited so long that their lease is nearly over are given back, not
        sent: another sweeper may reclaim them any moment, and sending then could
        duplicate. They are claimed again with a fresh lease."""
        expiring = self._outbox.take_expiring(self._clock() + self._config.lease_margin)
        if expiring:
            await asyncio.shield(self._release(expiring))
            self.wake()

    async def _release(self, claims: Sequence[Claim]) -> None:
        """Unsent rows back to pending, as they were (the attempt did not happen)."""
        for claim in claims:
            statement = reschedule(
                claim, None, error=None, in_doubt=claim.row.in_doubt, count_attempt=False
            )
            try:
                await self._write(claim, statement)
            except Exception:
                log.exception("reminder %d: could not hand it back", claim.row.id)
            finally:
                self._outbox.done(claim, sending=False)

    async def _deliver(self, claim: Claim) -> None:
        try:
            await self._deliver_claim(claim)
        except Exception:
            # The row stays `sending`; after its lease it is reclaimed and sent again.
            log.exception("reminder %d: unexpected error while delivering", claim.row.id)
        finally:
            self._outbox.done(claim, sending=True)
            self._slots.release()
            if self._more_due and self._outbox.held < self._config.batch_size // 2:
                self.wake()

    async def _deliver_claim(self, claim: Claim) -> None:
        row = claim.row
        try:
            async with self._sessions() as session:
                rendered = await self._render(row, session)
        except Exception as error:
            log.exception("reminder %d: render failed", row.id)
            await self._retry_or_fail(claim, f"render: {describe_error(error)}", row.in_doubt)
            return
        if rendered is None:
            self.stats["cancelled"] += 1
            await self._write(claim, mark_cancelled(claim))
            return
        try:
            message = await self._bot.send_message(
                row.chat_id,
                rendered.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=rendered.reply_markup,
            )
        except TelegramError as error:
            await self._on_send_error(claim, error)
            return
        # Nothing else is awaited between Telegram's answer and this mark: the window in
        # which a crash turns a delivered reminder into an in-doubt repeat stays minimal.
        await self._write(claim, mark_sent(claim, message.message_id, self._clock()))
        self.stats["sent"] += 1

    async def _on_send_error(self, claim: Claim, error: TelegramError) -> None:
        outcome = classify_send_error(error)
        self.stats[outcome.value] += 1
        description = describe_error(error)
        row = claim.row
        log.warning("reminder %d: %s (%s)", row.id, outcome.value, description)
        if isinstance(error, RetryAfter):
            await self._wait_as_told(claim, retry_after_seconds(error), description)
        elif outcome is SendOutcome.BLOCKED:
            await self._pause_user(claim, description)
        elif outcome is SendOutcome.REJECTED:
            await self._fail(claim, description)
        else:
            in_doubt = row.in_doubt or outcome is SendOutcome.IN_DOUBT
            await self._retry_or_fail(claim, description, in_doubt)

    async def _wait_as_told(self, claim: Claim, seconds: float, description: str) -> None:
        """429: the message was not delivered. Retry after the wait Telegram asked for,
        without counting the attempt, and send nothing else meanwhile."""
        self._limits.hold(claim.row.chat_id, seconds)
        at = self._clock() + timedelta(seconds=seconds)
        statement = reschedule(
            claim, at, error=description, in_doubt=claim.row.in_doubt, count_attempt=False
        )
        await self._write(claim, statement)
        self.note_new_due(at)

    async def _retry_or_fail(self, claim: Claim, description: str, in_doubt: bool) -> None:
        attempts = claim.row.attempts
        if attempts >= self._config.max_attempts:
            await self._fail(claim, f"gave up after {attempts} attempts: {description}")
            return
        at = self._clock() + self._config.backoff(attempts)
        await self._write(claim, reschedule(claim, at, error=description, in_doubt=in_doubt))
        self.note_new_due(at)

    async def _fail(self, claim: Claim, description: str) -> None:
        self.stats["failed"] += 1
        await self._write(claim, mark_failed(claim, description))
        row = claim.row
        deadline = row.deadline_at.isoformat(timespec="minutes") if row.deadline_at else "none"
        self._alerts.notify(
            f"reminder #{row.id} (order #{row.order_id}, user {row.user_id}, {row.kind}, "
            f"deadline {deadline}) failed: {description}"
        )

    async def _pause_user(self, claim: Claim, description: str) -> None:
        """The user blocked the bot: sending more only earns more 403s. Their reminders
        wait, paused, until they write again (resume_user); late ones are still sent."""
        user_id = claim.row.user_id
        queued = self._outbox.take_user(user_id)
        try:
            async with self._sessions.begin() as session:
                paused = await pause_user_reminders(
                    session, user_id, [claim, *queued], description
                )
                await set_blocked(session, user_id, True, self._clock())
        finally:
            for other in queued:
                self._outbox.done(other, sending=False)
        self.stats["paused"] += paused
        log.info("user %d blocked the bot: %d reminder(s) paused", user_id, paused)

    async def _write(self, claim: Claim, statement: Settle) -> None:
        """Run one fenced write for `claim`, retrying briefly while the database is busy."""
        for delay in (*WRITE_RETRY_DELAYS, None):
            try:
                async with self._sessions.begin() as session:
                    settled = (await session.scalars(statement)).all()
            except DBAPIError:
                if delay is None:
                    raise
                log.warning("reminder %d: database busy, retrying the write", claim.row.id)
                await asyncio.sleep(delay)
                continue
            if not settled:
                # The fence held: our lease was taken over; the new owner settles the row.
                log.warning("reminder %d: claim lost before it was settled", claim.row.id)
            return

    # -- users -----------------------------------------------------------------------

    async def resume_user(self, user_id: int) -> int:
        """The user writes to the bot again: their paused reminders go back to pending,
        late ones included (the render words them as late). Returns how many resumed."""
        async with self._sessions.begin() as session:
            due_times = await resume_user_reminders(session, user_id)
        if due_times:
            log.info("user %d is back: %d reminder(s) resumed", user_id, len(due_times))
            self.note_new_due(min(due_times))
        return len(due_times)


# -- one process per SQLite file -----------------------------------------------------------


class InstanceAlreadyRunningError(RuntimeError):
    """Another bot process holds the database's instance lock."""


class InstanceLock:
    """An exclusive flock on `<database>.lock`, held for the life of the process.

    The kernel drops it when the process ends, however it ends (kill -9 included), so a
    crashed bot never leaves a stale lock behind.
    """

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def acquire_instance_lock(db_path: Path) -> InstanceLock:
    """Make sure this is the only bot process using the SQLite database at `db_path`.

    SQLite has no SKIP LOCKED: two processes sweeping one file would each believe they
    own the rows a lease protects. Raises InstanceAlreadyRunningError with a clear message.
    """
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(handle)
        handle.close()
        raise InstanceAlreadyRunningError(
            f"another Sourcing Guard process{holder} is already using {db_path} "
            f"(lock file {lock_path}). With SQLite only one bot process may run; "
            "stop the other one, or use PostgreSQL to run several."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return InstanceLock(lock_path, handle)


def _read_holder(handle: IO[str]) -> str:
    handle.seek(0)
    pid = handle.read().strip()
    return f" (pid {pid})" if pid.isdigit() else ""
