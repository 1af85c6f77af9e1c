"""The reminder engine: the database is the truth, the event loop's monotonic clock the beat.

Every planned message is a `reminders` row (bot.reminders.store). A periodic sweep claims
due rows with a lease, one sender delivers them under our own flood limits
(bot.reminders.sending), and each row is marked right after Telegram accepted it. The
guarantees:

- **Never lost.** A process that dies holding a claim loses nothing: its lease expires and
  the next sweep (of any process) takes the row back, flagged `in_doubt`.
- **Late is never skipped.** A due row is claimed however late it is; the render callback
  sees `due_at`/`deadline_at` and words it accordingly.
- **Never sent twice by two workers.** Claims are atomic and every later write is fenced
  by the claim token (see bot.reminders.store).
- **Duplicates only when in doubt, and visibly.** Telegram has no idempotency key, so a
  send whose fate is unknown (timeout after the request went out, death before the mark)
  is repeated once the row is reclaimed, and the render callback gets `in_doubt=True` to
  say "(repeat)". The window is kept small: nothing is awaited between a successful send
  and the mark.
- **Within Telegram's flood limits.** Our own token buckets: 25 messages/s overall (30 is
  the ceiling) and 1/s per chat (AIORateLimiter has no per-private-chat limit).
- **Wall-clock steps change nothing but the words.** The sweep is timed on the event
  loop's monotonic clock (APScheduler's interval trigger counts in wall time: set the
  clock back 4 h and it sleeps 4 h); what is due is the database's `due_at` against the
  clock's present at each sweep. Leases are timed on the monotonic clock too: a claim
  is handed back after a whole lease of watching it, whatever the wall clock says, and
  this process's own claims are never taken from it by a clock stepped forward.
- **One message per change.** Several due warnings of one deadline are one message
  (bot.reminders.store supersedes the others at claim time).
- **A group that moves is followed.** A send refused because the group became a supergroup
  (`ChatMigrated`) moves the chat's orders and reminders to the new id (bot.db.chats) and
  goes there at once, the attempt not counted. A group that removed the bot (403) fails
  its own reminders only; the member who tracked the order is not taken as blocked.
- **Memory independent of the backlog.** Start-up reads nothing; a sweep claims at most
  one batch, and only as much as the sender has room for, so claimed rows never wait
  long enough for their lease to run out.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import ChatMigrated, RetryAfter, TelegramError

from bot.clock import SystemClock
from bot.db.chats import move_chat
from bot.db.models import User
from bot.db.users import set_blocked
from bot.reminders.alerts import AdminAlerts
from bot.reminders.sending import (
    FloodLimiter,
    Outbox,
    Rate,
    SendOutcome,
    classify_send_error,
    describe_error,
    retry_after_seconds,
)
from bot.reminders.store import (
    Claim,
    ReminderRow,
    Settle,
    claim_due,
    claims_held,
    mark_cancelled,
    mark_failed,
    mark_sent,
    next_due_at,
    pause_user_reminders,
    reclaim_expired,
    reschedule,
    resume_user_reminders,
    upcoming_for_user,
)

if TYPE_CHECKING:
    from telegram.ext import JobQueue

    from bot.config import Settings

__all__ = [
    "Clock",
    "EngineConfig",
    "ReminderEngine",
    "ReminderRow",
    "RenderReminder",
    "RenderedReminder",
    "Resumed",
]

log = logging.getLogger(__name__)

# Writes that decide whether a reminder is repeated are retried briefly when the database
# is busy: a lost "sent" mark turns into a duplicate after the lease expires.
WRITE_RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0)
# Past stop_timeout_seconds each remaining step of stop() still gets this long: cancelled
# sends settle, queued rows get one try at being handed back.
STOP_GRACE_SECONDS = 1.0
# A 403 answered while the user was writing to the bot again: how far apart the attempt
# and their message may be for the message to count as "since" (see _pause_user).
UNBLOCK_RACE = timedelta(minutes=1)


# The engine reads the time through a function: bot.clock's Clock.now, or a test's clock.
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class RenderedReminder:
    """The message for one reminder (HTML; the render callback escapes what it inserts)."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None


# The words and buttons for a row at the moment it is sent; None: no longer wanted.
RenderReminder = Callable[[ReminderRow], Awaitable[RenderedReminder | None]]


@dataclass(frozen=True)
class Resumed:
    """What a user who wrote again after blocking the bot has coming: `count` reminders
    resumed, `upcoming` the next ones (order label, due time, deadline), soonest first."""

    count: int
    upcoming: tuple[tuple[str, datetime, datetime | None], ...] = ()


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

    @property
    def longest_wait(self) -> timedelta:
        """Longer than any retry the engine sets (back-off; a flood wait is shorter): a
        retry further ahead was set before the wall clock went back, and is due."""
        return timedelta(seconds=2 * self.backoff_max_seconds + 60)

    def backoff(self, attempts: int) -> timedelta:
        """Exponential back-off with jitter, so many failed rows do not retry in step."""
        exponent = min(max(attempts - 1, 0), 30)
        ceiling = min(self.backoff_max_seconds, self.backoff_base_seconds * 2**exponent)
        return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))


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
        clock: Clock | None = None,
        admin_ids: Collection[int] = (),
    ) -> None:
        self._sessions = sessions
        self._bot = bot
        self._render = render
        self._config = config or EngineConfig()
        self._clock = clock or SystemClock().now
        self._limits = FloodLimiter(
            Rate(self._config.global_per_second, self._config.global_burst),
            Rate(self._config.per_chat_per_second, self._config.per_chat_burst),
        )
        self._outbox = Outbox()
        self._alerts = AdminAlerts(bot, admin_ids)
        self._slots = asyncio.Semaphore(self._config.max_in_flight)
        self._sweep_lock = asyncio.Lock()
        self._deliveries: set[asyncio.Task[None]] = set()
        self._sender: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        # Claims of other processes seen `sending`: (id, token) → monotonic first sight.
        self._watched: dict[tuple[int, str], float] = {}
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
        """Start sending, and sweep at once (for what fell due while the bot was down) and
        then every `sweep_seconds` of the event loop's monotonic clock.

        Reads nothing from the database: the first sweep claims at most one batch.
        `job_queue` is accepted for the callers that pass it, and not used: APScheduler
        times intervals in wall time, so a clock set back would stop the sweeps.
        """
        del job_queue
        if self._running:
            return
        self._running = True
        self._sender = asyncio.create_task(self._send_loop(), name="reminder-sender")
        self._ticker = asyncio.create_task(self._tick_loop(), name="reminder-ticker")

    async def stop(self) -> None:
        """Let running sends finish (so they are marked), hand queued rows back, stop.

        Bounded whatever the database does: a running sweep, running sends and the
        hand-back share `stop_timeout_seconds`, and each step past it gets
        STOP_GRACE_SECONDS more. What a wait cut short leaves `sending` comes back in
        doubt after its lease, which is safe.
        """
        if not self._running:
            return
        self._running = False
        self._cancel_wake_timer()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._config.stop_timeout_seconds

        def left() -> float:
            return max(deadline - loop.time(), STOP_GRACE_SECONDS)

        tasks = [t for t in (self._sender, self._ticker, self._wake_task) if t is not None]
        # Cancelling a sweep between its commit and handing the rows to the outbox would
        # strand them until their lease ends: wait for a running sweep instead, unless it
        # is stuck behind a locked database.
        locked = False
        try:
            async with asyncio.timeout_at(deadline):
                await self._sweep_lock.acquire()
                locked = True
        except TimeoutError:
            log.warning("a reminder sweep was still waiting for the database at stop")
        try:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=left())
        finally:
            if locked:
                self._sweep_lock.release()
        await self._finish_deliveries(left)
        await self._hand_back_at_stop(self._outbox.take_all(), left())
        await self._alerts.close()

    async def _finish_deliveries(self, left: Callable[[], float]) -> None:
        if not self._deliveries:
            return
        _, unfinished = await asyncio.wait(set(self._deliveries), timeout=left())
        # Still running: the send's fate is unknown, so the row must stay `sending` and
        # come back in doubt after its lease, which is what cancelling leaves behind.
        for task in unfinished:
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished, timeout=STOP_GRACE_SECONDS)

    # -- waking ----------------------------------------------------------------------

    async def _tick_loop(self) -> None:
        # asyncio.sleep counts on loop.time(), which is monotonic: a wall-clock step, either
        # way, neither delays the next sweep nor brings a burst of them.
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
        live = self._outbox.live_tokens
        # Before the claim: the lease other processes time from their first sight of it.
        send_by = (
            asyncio.get_running_loop().time()
            + (self._config.lease - self._config.lease_margin).total_seconds()
        )
        async with self._sessions.begin() as session:
            overdue = self._overdue(await claims_held(session), live)
            reclaimed = await reclaim_expired(session, now, live, overdue)
            if room > 0:
                claims = await claim_due(
                    session,
                    now,
                    limit=room,
                    token=str(uuid.uuid4()),
                    lease=self._config.lease,
                    max_wait=self._config.longest_wait,
                )
            upcoming = await next_due_at(session, now)
        claims = [replace(claim, send_by=send_by) for claim in claims]
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

    def _overdue(
        self, held: list[tuple[int, str]], live: Collection[str]
    ) -> list[tuple[int, str]]:
        """Claims of others watched for a whole lease on the monotonic clock."""
        now = asyncio.get_running_loop().time()
        seen = {claim: self._watched.get(claim, now) for claim in held if claim[1] not in live}
        self._watched = seen
        lease = self._config.lease_seconds
        return [claim for claim, first in seen.items() if now - first >= lease]

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
        expiring = self._outbox.take_expiring(asyncio.get_running_loop().time())
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

    async def _hand_back_at_stop(self, claims: Sequence[Claim], timeout: float) -> None:
        """Queued rows back to pending in one transaction, waiting for the database at
        most `timeout`. Past it they stay `sending` and come back in doubt after their
        lease: one busy wait per row would hold the stop for minutes."""
        if not claims:
            return
        try:
            async with (
                asyncio.timeout(timeout),
                self._sessions.begin() as session,
            ):
                for claim in claims:
                    statement = reschedule(
                        claim, None, error=None, in_doubt=claim.row.in_doubt, count_attempt=False
                    )
                    await session.scalars(statement)
        except (TimeoutError, DBAPIError):
            log.warning(
                "could not hand back %d queued reminder(s) at stop; "
                "they come back in doubt after their lease",
                len(claims),
                exc_info=True,
            )
        finally:
            for claim in claims:
                self._outbox.done(claim, sending=False)

    async def _deliver(self, claim: Claim) -> None:
        try:
            await self._deliver_claim(claim)
        except Exception:
            # The row stays `sending`; after its lease it is reclaimed and sent again.
            log.exception("reminder %d: unexpected error while delivering", claim.row.id)
        finally:
            self._limits.sent(claim.row.chat_id, self._limits.now())
            self._outbox.done(claim, sending=True)
            self._slots.release()
            if self._more_due and self._outbox.held < self._config.batch_size // 2:
                self.wake()

    async def _deliver_claim(self, claim: Claim) -> None:
        row = claim.row
        try:
            rendered = await self._render(row)
        except Exception as error:
            log.exception("reminder %d: render failed", row.id)
            await self._retry_or_fail(claim, f"render: {describe_error(error)}", row.in_doubt)
            return
        if rendered is None:
            self.stats["cancelled"] += 1
            await self._write(claim, mark_cancelled(claim))
            return
        attempted_at = self._clock()
        try:
            message = await self._bot.send_message(
                row.chat_id,
                rendered.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=rendered.reply_markup,
            )
        except TelegramError as error:
            await self._on_send_error(claim, error, attempted_at)
            return
        # Nothing else is awaited between Telegram's answer and this mark: the window in
        # which a crash turns a delivered reminder into an in-doubt repeat stays minimal.
        await self._write(claim, mark_sent(claim, message.message_id, self._clock()))
        self.stats["sent"] += 1

    async def _on_send_error(
        self, claim: Claim, error: TelegramError, attempted_at: datetime
    ) -> None:
        if isinstance(error, ChatMigrated):
            await self._follow_migrated_chat(claim, error.new_chat_id)
            return
        outcome = classify_send_error(error)
        self.stats[outcome.value] += 1
        description = describe_error(error)
        row = claim.row
        log.warning("reminder %d: %s (%s)", row.id, outcome.value, description)
        if isinstance(error, RetryAfter):
            await self._wait_as_told(claim, retry_after_seconds(error), description)
        elif outcome is SendOutcome.BLOCKED and row.chat_id != row.user_id:
            # A group that removed the bot says nothing about the member: their own
            # reminders go on. Nor is it the bot's failure: nobody is paged.
            self.stats["chat_closed"] += 1
            await self._write(claim, mark_failed(claim, description))
        elif outcome is SendOutcome.BLOCKED:
            await self._pause_user(claim, description, attempted_at)
        elif outcome is SendOutcome.REJECTED:
            await self._fail(claim, description)
        else:
            in_doubt = row.in_doubt or outcome is SendOutcome.IN_DOUBT
            await self._retry_or_fail(claim, description, in_doubt)

    async def _follow_migrated_chat(self, claim: Claim, new_chat_id: int) -> None:
        """The group became a supergroup (the bot may never have seen the service message
        saying so): the chat's orders and reminders move to the new id, and this one is
        sent there at once. The attempt did not reach anyone, so it is not counted."""
        old_chat_id = claim.row.chat_id
        self.stats["chat_migrated"] += 1
        async with self._sessions.begin() as session:
            moved = await move_chat(session, old_chat_id, new_chat_id)
        log.info(
            "chat %d is now %d: %d order(s), %d reminder(s) moved",
            old_chat_id,
            new_chat_id,
            moved.orders,
            moved.reminders,
        )
        retry = reschedule(
            claim, None, error=None, in_doubt=claim.row.in_doubt, count_attempt=False
        )
        await self._write(claim, retry)
        self.wake()

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

    async def _pause_user(self, claim: Claim, description: str, attempted_at: datetime) -> None:
        """The user blocked the bot: sending more only earns more 403s. Their reminders
        wait, paused, until they write again (resume_user); late ones are still sent.

        A user who wrote to the bot after this send was attempted has unblocked it since,
        and their resume may already have run: pausing now would stop their reminders
        until they write once more. The row is handed back instead, to be sent at once.
        The user's row is locked first, so their next message waits for this decision.
        (Only a message within UNBLOCK_RACE of the attempt counts: after the wall clock
        was set back, an older message must not read as newer and retry for hours.)
        """
        user_id = claim.row.user_id
        queued = self._outbox.take_user(user_id)
        paused = 0
        try:
            async with self._sessions.begin() as session:
                user = await session.get(User, user_id, with_for_update=True)
                back = user is not None and (
                    attempted_at <= user.last_seen_at <= attempted_at + UNBLOCK_RACE
                )
                if back:
                    retry = reschedule(
                        claim,
                        None,
                        error=description,
                        in_doubt=claim.row.in_doubt,
                        count_attempt=False,
                    )
                    await session.scalars(retry)
                else:
                    paused = await pause_user_reminders(
                        session, user_id, [claim, *queued], description
                    )
                    await set_blocked(session, user_id, True, self._clock())
        except BaseException:
            for other in queued:
                self._outbox.done(other, sending=False)
            raise
        if back:
            self.stats["unblocked_meanwhile"] += 1
            await self._release(queued)  # taken out unsettled: handed back as they were
            self.wake()
            return
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

    async def resume_user(self, user_id: int) -> Resumed:
        """The user writes to the bot again: their paused reminders go back to pending,
        late ones included (the render words them as late; several due warnings of one
        deadline are one message). Returns how many resumed and what comes next."""
        async with self._sessions.begin() as session:
            due_times = await resume_user_reminders(session, user_id)
            upcoming = (
                await upcoming_for_user(session, user_id, self._clock()) if due_times else []
            )
        if due_times:
            log.info("user %d is back: %d reminder(s) resumed", user_id, len(due_times))
            self.note_new_due(min(due_times))
        return Resumed(len(due_times), tuple(upcoming))
