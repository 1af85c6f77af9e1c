"""At-least-once handling of updates, with the copies Telegram re-delivers dropped.

The promise: a message the bot received is handled at least once; if the process dies
while handling it, it is handled again after the restart (its effect can then happen
twice); a message already handled is never handled again.

Every update goes through `Deliveries.deliver`, whichever way it came (bot/runtime/polling.py,
bot/runtime/webhook.py, or a test calling `process_update`), before any handler sees it:

1. **Claim.** A `processed_updates` row is inserted for the update id
   (bot/db/processed_updates.py). A copy whose row is done is dropped. A copy whose row
   is an unfinished claim younger than the lease is left alone: another process is
   handling it right now. A claim older than the lease belongs to a process that died
   half-way: it is taken over, and the update handled again.
2. **Handle.** python-telegram-bot's `process_update`, then the conversation state is
   written (bot/runtime/persistence.py).
3. **Done.** The row gets `done_at`. An update whose handler raised is done too: the
   error handler has answered the user, and retrying a failing update would fail again.
   Not so when the handler failed on the database (it went read-only, a connection broke,
   a lock was held too long: `bot.db.engine.is_transient_database_error`): what the user
   sent was not saved, and a later attempt may well succeed. Such an update is given back
   instead (`Outcome.NOT_TAKEN`), so it stays with Telegram and comes again after the
   poller's backoff or Telegram's webhook retry; the user is told once that it will be
   retried (handlers/errors.py). After DATABASE_ATTEMPTS failed attempts it is done after
   all, and the user asked to send it again: a fault that outlasts the retries must not
   hold up the updates queued behind it for good.

Telegram learns that an update was received only after step 3: the poller moves its
offset past a batch once the batch is handled, and the webhook answers 200 once the update
is. So a process killed before step 3 leaves the update with Telegram, and its copy is
handled: at once by a restarted poller (it releases the dead poller's claims, since only
one poller per token can exist), after the lease by a webhook instance. One killed during
step 2 may have had some effect already (an order saved, an answer sent), which then
happens twice; that is the price of never losing a message, and it is paid only for the
updates in hand at the moment of a crash.

A handling that is cancelled (a stop that could not wait for it) gives its claim back, so
the copy Telegram sends again is handled at once. A claim that fails (the database is
unreachable) handles nothing and says so: the update stays with Telegram and is retried.

Replies: a request the bot makes while handling an update (its answer to the user) that
Telegram refuses with a 5xx, or whose connection fails before it is sent, had no effect,
and is sent again after a short wait (`ReplyRetries`); a reply is not lost to a passing
fault. One that timed out is not: it most likely arrived late, and a second copy would be a
duplicate (nor does the user get an apology for it, handlers/errors.py). The reminder
engine's sends are left to its own accounting (bot/reminders/sending.py).

Order: the updates of one user are handled one at a time, in the order they arrived (a
first-come-first-served lock per user), so a conversation sees its messages in order and
each update's state is written before that user's next update reads it. Different users'
updates run side by side, at most MAX_CONCURRENT_UPDATES at once.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.error import NetworkError

from bot.clock import Clock, SystemClock
from bot.db import processed_updates
from bot.db.processed_updates import Claim
from bot.reminders.sending import SendOutcome, classify_send_error, describe_error
from bot.runtime.rate_limit import PerChatRateLimiter

log = logging.getLogger(__name__)

# Enough to overlap the Telegram round trips of a backlog (a restart hands over up to 100
# updates at once), few enough that every update's database session finds a free pooled
# connection (5 + 10 overflow) next to the reminder engine's, and that SQLite's one writer
# at a time does not make transactions queue past its busy timeout.
MAX_CONCURRENT_UPDATES = 8
# Pruning piggy-backs on update traffic instead of a scheduled job: the table only grows
# when updates arrive, so forgetting old ids on arrival keeps it bounded, and an idle bot
# does no work. Once an hour per process is one indexed DELETE, invisible next to the
# writes every update already costs; several processes pruning the same rows is harmless.
PRUNE_INTERVAL_SECONDS = 3600.0
# Giving a claim back after a cancellation is a courtesy (the lease covers it otherwise);
# a stop must not hang on it.
RELEASE_TIMEOUT_SECONDS = 2.0
# Attempts of an update whose handling keeps failing on the database before it is given up.
# The poller's backoff grows to 30 s between attempts, so this spans about eight minutes:
# longer than a failover or a restarted database server takes, short enough that a fault
# that is not going away (a full disk) soon stops holding up the updates behind it.
DATABASE_ATTEMPTS = 20
# Waits before sending a refused reply again: a 502 from a restarting front end is over in
# a second or two, and the user is waiting for the answer.
REPLY_RETRY_DELAYS_SECONDS = (0.5, 1.0, 2.0)

# True in the task handling an update (and the tasks it starts): requests made there are
# replies to a user.
_handling_update: ContextVar[bool] = ContextVar("handling_update", default=False)


class Outcome(enum.Enum):
    """What became of one delivered update."""

    HANDLED = "handled"
    DUPLICATE = "duplicate"  # handled before: dropped
    IN_PROGRESS = "in_progress"  # another process is handling it: left to them
    # Not kept: it could not be claimed, or its handling failed on the database. It stays
    # with Telegram and is handled again later.
    NOT_TAKEN = "not_taken"


@dataclass(frozen=True)
class DatabaseFailure:
    """What follows an update's handling failing on the database."""

    attempt: int  # 1 for the first failure of this update
    retrying: bool  # it will be handled again; False: it was given up
    again_in_attempt: bool = False  # this attempt had failed so already

    @property
    def tell_user(self) -> bool:
        """Say so on the first failure and when giving up, once; the attempts between are
        silent, or a few minutes of read-only database would send the same note again and
        again."""
        return not self.again_in_attempt and (self.attempt == 1 or not self.retrying)


def update_key(update: object) -> Hashable | None:
    """Whose updates must stay in order with this one: the user's (conversations and
    stored state are per user), else the chat's; None for an update that has neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    return None


class SerialLocks:
    """One lock per key, kept only while someone holds or waits for it.

    asyncio.Lock wakes its waiters first come, first served, so updates that ask for a
    key's lock in arrival order are handled in arrival order."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class Deliveries:
    """Claims, handles and finishes updates for one bot (see the module docstring)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bot_id: int,
        *,
        concurrency: int = MAX_CONCURRENT_UPDATES,
        clock: Clock | None = None,
    ) -> None:
        self._sessions = sessions
        self._bot_id = bot_id
        self._clock = clock or SystemClock()
        self._serial = SerialLocks()
        self._slots = asyncio.Semaphore(concurrency)
        self._last_pruned: float | None = None
        # Update id → attempts that failed on the database so far (cleared once handled).
        self._database_attempts: dict[int, int] = {}
        # Updates whose attempt in progress has failed on the database.
        self._failing: set[int] = set()
        # Updates this process is handling right now.
        self._in_hand: set[int] = set()
        # Claims this process keeps for a retry because giving them back failed too.
        self._kept: set[int] = set()
        # Whether the last claim failed on the database: an outage is logged once, not per
        # update and poll.
        self._claims_failing = False

    async def deliver(
        self, update: object, handle: Callable[[object], Awaitable[None]]
    ) -> Outcome:
        """Claim `update`, run `handle(update)` if this process won it, then mark it done."""
        if not isinstance(update, Update):
            # Not from Telegram (PTB lets code queue anything): nothing to de-duplicate.
            await handle(update)
            return Outcome.HANDLED
        update_id = update.update_id
        # The user's lock before a slot: waiting for a slot must not let a later update of
        # the same user overtake this one.
        async with self._serial.hold(update_key(update)), self._slots:
            claim = await self._claim(update_id)
            if claim is None:
                return Outcome.NOT_TAKEN
            if claim is Claim.BUSY and update_id in self._kept:
                claim = Claim.RETAKEN  # the claim is this process's own, kept for this retry
            self._kept.discard(update_id)
            if claim is Claim.DONE:
                self._database_attempts.pop(update_id, None)  # handled by another process
                log.info("dropped update %s: it was handled before", update_id)
                return Outcome.DUPLICATE
            if claim is Claim.BUSY:
                log.info("left update %s to the process handling it right now", update_id)
                return Outcome.IN_PROGRESS
            if claim is Claim.RETAKEN and update_id not in self._database_attempts:
                log.warning("handling update %s again: the process handling it died", update_id)
            handling = _handling_update.set(True)
            self._in_hand.add(update_id)
            try:
                await handle(update)
            except Exception:
                # PTB hands handler errors to the error handler itself; this is a failure
                # around it. Done all the same, or a copy would fail again and again.
                log.exception("update %s failed outside its handlers", update_id)
            except BaseException:
                # Cancelled half-way: a copy must be handled, and need not wait the lease.
                self._failing.discard(update_id)
                await self._release(update_id)
                raise
            finally:
                _handling_update.reset(handling)
                self._in_hand.discard(update_id)
            if await self._retry_later(update_id):
                return Outcome.NOT_TAKEN
            await self._finish(update_id)
        await self._prune_now_and_then()
        return Outcome.HANDLED

    def database_failed(self, update_id: int) -> DatabaseFailure | None:
        """The handling of `update_id`, under way, failed on the database: say whether it
        will be retried (the error handler tells the user accordingly). None when this
        process is not handling it right now: there is no attempt to give back."""
        if update_id not in self._in_hand:
            return None
        attempt = self._database_attempts.get(update_id, 0)
        if update_id in self._failing:
            return DatabaseFailure(attempt, attempt < DATABASE_ATTEMPTS, again_in_attempt=True)
        attempt += 1
        self._database_attempts[update_id] = attempt
        self._failing.add(update_id)
        return DatabaseFailure(attempt=attempt, retrying=attempt < DATABASE_ATTEMPTS)

    async def _retry_later(self, update_id: int) -> bool:
        """After a handling: give the claim back if it failed on the database and may be
        retried (True), else forget its failures (it is about to be done)."""
        if update_id not in self._failing:
            self._database_attempts.pop(update_id, None)
            return False
        self._failing.discard(update_id)
        attempt = self._database_attempts[update_id]
        if attempt >= DATABASE_ATTEMPTS:
            log.error("update %s failed on the database %d times; given up", update_id, attempt)
            del self._database_attempts[update_id]
            return False
        log.warning(
            "update %s failed on the database (attempt %d); it stays with Telegram to be retried",
            update_id,
            attempt,
        )
        if not await self._release(update_id):
            # The database refuses the release too: the claim stays ours, and the copy
            # that comes back is handled here even though its row still looks busy.
            self._kept.add(update_id)
        return True

    async def release_unfinished(self) -> int:
        """Give back every unfinished claim of this bot (a poller's start: see
        bot/runtime/polling.py for why that is safe); returns how many there were."""
        async with self._sessions.begin() as session:
            return await processed_updates.release_unfinished(session, self._bot_id)

    async def _claim(self, update_id: int) -> Claim | None:
        try:
            async with self._sessions.begin() as session:
                claim = await processed_updates.claim_update(
                    session, self._bot_id, update_id, self._clock.now()
                )
        except Exception as error:
            # During an outage every pending update fails here on every poll: one line
            # when claims start failing (with the traceback), the rest at DEBUG.
            if not self._claims_failing:
                self._claims_failing = True
                log.error(
                    "could not claim update %s (%s); updates stay with Telegram to be "
                    "retried until the database answers",
                    update_id,
                    type(error).__name__,
                    exc_info=True,
                )
            else:
                log.debug("could not claim update %s: %s", update_id, error)
            return None
        if self._claims_failing:
            self._claims_failing = False
            log.warning("claiming updates works again (update %s)", update_id)
        return claim

    async def _finish(self, update_id: int) -> None:
        try:
            async with self._sessions.begin() as session:
                await processed_updates.finish_update(
                    session, self._bot_id, update_id, self._clock.now()
                )
        except Exception:
            # The update was handled; only a copy arriving later would be handled again.
            log.warning("could not mark update %s done", update_id, exc_info=True)

    async def _release(self, update_id: int) -> bool:
        try:
            async with (
                asyncio.timeout(RELEASE_TIMEOUT_SECONDS),
                self._sessions.begin() as session,
            ):
                await processed_updates.release_update(session, self._bot_id, update_id)
        except Exception:
            log.warning("could not give back update %s; a copy waits for the lease", update_id)
            return False
        return True

    async def _prune_now_and_then(self) -> None:
        started = self._clock.monotonic()
        if self._last_pruned is not None and started - self._last_pruned < PRUNE_INTERVAL_SECONDS:
            return
        self._last_pruned = started
        try:
            async with self._sessions.begin() as session:
                forgotten = await processed_updates.prune(session, self._clock.now())
        except SQLAlchemyError:
            # Housekeeping: the update itself is fine, and the next prune catches up.
            log.warning("could not prune processed update ids", exc_info=True)
            return
        if forgotten:
            log.info("forgot %d processed update ids", forgotten)


class ReplyRetries(PerChatRateLimiter):
    """Flood control per chat (bot/runtime/rate_limit.py), and a reply Telegram refused sent
    again (module docstring)."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for delay in (*REPLY_RETRY_DELAYS_SECONDS, None):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as error:
                if (
                    delay is None
                    or not _handling_update.get()
                    or classify_send_error(error) is not SendOutcome.NOT_SENT
                ):
                    raise
                log.warning(
                    "%s refused (%s); sending it again in %.1f s",
                    endpoint,
                    describe_error(error),
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")
