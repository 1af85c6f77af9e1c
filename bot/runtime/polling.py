"""Long polling that confirms an update to Telegram only once it has been handled.

Telegram forgets an update once a getUpdates call asks for a larger offset. PTB's Updater
asks for it as soon as it has queued a batch, before any handler ran, and the queue is then
handled one update at a time; after a restart the backlog comes as one batch, so a process
killed a second later lost most of it. `Poller` moves the offset past an update only once
it and every update before it were handled (bot/runtime/delivery.py): a process killed
mid-batch gets the rest of the batch again, and the copies of the updates it had finished
are dropped as done.

The updates of different users are handled side by side, each user's in order, and the
next batch is asked for without waiting for the last one to be done
(bot/runtime/update_order.py): a user whose answers wait on a slow update or on Telegram's
flood control holds back nobody else. While updates are in hand Telegram answers every
getUpdates at once (the offset has to stay at the oldest of them), so the poller then asks
every BACKLOG_POLL_SECONDS instead of holding a long poll open.

Starting, the poller gives back every claim that no process finished (a claim is an update
being handled, see bot/db/processed_updates.py). Telegram hands getUpdates to one poller per
token (a second one ends the first with 409 Conflict), and a poller confirms nothing it has
not finished, so any unfinished claim is an update whose poller died or was stopped before
finishing it, and which Telegram will therefore deliver again. Releasing them lets this
poller handle those copies now; left alone, they would look like another process's work
for the length of the lease and be dropped. The one case this gets wrong is two pollers
overlapping on purpose (a misconfiguration Telegram already punishes with conflicts): the
update the other one is handling right now may then be handled twice, never lost. Webhook
instances cannot do this, since several may run at once; they wait for the lease.

On a stop request the poller stops asking, lets the updates in hand finish, leaves the rest
of the batch with Telegram, and confirms what was handled (as PTB's Updater does), so the
next start does not receive it again. A second request, or `abort`, stops at once: the
updates in hand are cancelled, give their claims back and come again after the restart.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from datetime import timedelta

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.clock import Clock
from bot.context import BotApplication
from bot.runtime.delivery import Outcome
from bot.runtime.lifecycle import ALLOWED_UPDATES, shut_down_application, stop_application
from bot.runtime.persistence import DurableApplication, durable
from bot.runtime.signals import StopSignals
from bot.runtime.update_order import Lanes

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10.0  # PTB's default long-poll timeout
BATCH_LIMIT = 100  # Telegram's maximum
# How often to ask while updates are in hand: how long a user who writes meanwhile may wait
# before being seen, against a getUpdates call (returning the updates in hand) per pause.
BACKLOG_POLL_SECONDS = 0.25
# After a failure, waits double from FIRST_BACKOFF_SECONDS up to this, each with jitter.
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
# RetryAfter asks for a wait; PTB adds this much so the retry does not arrive a hair early.
RETRY_AFTER_SLACK_SECONDS = 0.5
CONFLICT_HINT = (
    "Only one process may poll a bot token, and not while a webhook is set: stop the "
    "other poller, or run every instance with --webhook"
)


class Backoff:
    """Exponential back-off with jitter: the n-th wait in a row is between half and all of
    FIRST_BACKOFF_SECONDS × 2ⁿ, capped at MAX_BACKOFF_SECONDS; back to the first after a
    success. The jitter keeps instances that failed together (a database restart) from
    retrying together. `random` returns a number in [0, 1); tests pass their own."""

    def __init__(
        self,
        *,
        first: float = FIRST_BACKOFF_SECONDS,
        cap: float = MAX_BACKOFF_SECONDS,
        random: Callable[[], float] = random.random,
    ) -> None:
        self._first, self._cap, self._random = first, cap, random
        self._failures = 0

    def delay(self) -> float:
        ceiling = min(self._cap, self._first * 2.0 ** min(self._failures, 32))
        self._failures += 1
        return ceiling * (0.5 + self._random() / 2)

    def reset(self) -> None:
        self._failures = 0


class Outage:
    """Something the poller depends on (Telegram, the database) failing: one line when it
    starts failing, one when it works again, the attempts in between at DEBUG. A poller
    that logged every retry wrote megabytes of identical tracebacks during an outage."""

    def __init__(self, what: str, clock: Clock) -> None:
        self._what = what
        self._clock = clock
        self._since: float | None = None
        self._attempts = 0
        self._reason = ""

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def failed(self, reason: str, wait: float, *, hint: str = "") -> None:
        self._attempts += 1
        if self._since is not None and reason == self._reason:
            log.debug("%s still failing (%s); retrying in %.1f s", self._what, reason, wait)
            return
        if self._since is None:
            self._since = self._clock.monotonic()
        self._reason = reason
        log.warning(
            "%s failed (%s)%s; retrying with back-off (up to %.0f s between tries), "
            "quiet until it works again",
            self._what,
            reason,
            f". {hint}" if hint else "",
            MAX_BACKOFF_SECONDS,
        )

    def recovered(self) -> None:
        if self._since is None:
            return
        log.warning(
            "%s works again after %d failed attempt(s) over %.0f s",
            self._what,
            self._attempts,
            self._clock.monotonic() - self._since,
        )
        self._since, self._attempts, self._reason = None, 0, ""


class Poller:
    """getUpdates in a loop, each batch handled before it is confirmed (module docstring)."""

    def __init__(
        self,
        application: BotApplication,
        *,
        allowed_updates: Sequence[str],
        timeout: float = POLL_TIMEOUT_SECONDS,
        backoff: Backoff | None = None,
    ) -> None:
        self._application: DurableApplication = durable(application)
        self._backoff = backoff or Backoff()
        self._allowed_updates = list(allowed_updates)
        self._timeout = timedelta(seconds=int(timeout))
        # The updates in hand, and from them the offset (made when polling starts).
        self._lanes: Lanes | None = None
        # The offset Telegram has last seen, i.e. up to where it forgot the updates.
        self._confirmed: int | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def _offset(self) -> int | None:
        """The offset the next getUpdates sends: the oldest update not done, or one past
        the last one (None: nothing taken yet, Telegram starts from its oldest unconfirmed
        update)."""
        return self._lanes.offset if self._lanes is not None else None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def finished(self) -> asyncio.Task[None]:
        """The polling task: it ends by itself only when polling cannot go on."""
        if self._task is None:
            raise RuntimeError("the poller was not started")
        return self._task

    async def start(self) -> None:
        """Remove a webhook (Telegram refuses getUpdates while one is set), give back the
        claims a previous poller left unfinished (module docstring), start polling."""
        # Pending updates are kept: what users sent while the bot was down is answered.
        await self._application.bot.delete_webhook(drop_pending_updates=False)
        released = await self._application.deliveries.release_unfinished()
        if released:
            log.warning(
                "%d update(s) were being handled when the last poller stopped; "
                "they will be handled again",
                released,
            )
        self._task = asyncio.create_task(self._poll(), name="sourcing-guard-poller")

    async def stop(self) -> None:
        """Stop asking for updates, let the updates in hand finish, confirm them."""
        self._stopping.set()
        if self._task is not None:
            await asyncio.wait([self._task])
            if not self._task.cancelled():
                self._task.exception()  # logged where it happened; read so asyncio is quiet
        await self._confirm()

    def abort(self) -> None:
        """Stop at once, as if the process died: the updates in hand are cancelled (their
        claims given back) and Telegram delivers them again to the next poller."""
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
        if self._lanes is not None:
            # Cancelling the task cancels them only if the cancellation reaches the task
            # group: Python 3.11's wait_for swallows it when the stop event fires with it.
            self._lanes.cancel()

    # -- the loop ------------------------------------------------------------------

    async def _poll(self) -> None:
        try:
            await self._poll_until_stopped()
        except Exception:
            # A bug, not Telegram or the network (those are retried below): say so loudly,
            # since nothing else watches this task until the stop.
            log.exception("polling stopped by an unexpected error")
            raise

    async def _poll_until_stopped(self) -> None:
        clock = self._application.bot_data.clock
        # Updates that cannot be claimed: the database is down (bot/runtime/delivery.py).
        taking_on = Outage("claiming updates in the database", clock)
        # Leaving the group waits for the updates in hand; cancelling it cancels them.
        async with asyncio.TaskGroup() as tasks:
            self._lanes = Lanes(self._delivering(taking_on), tasks, self._stopping)
            await self._poll_into(self._lanes, taking_on)

    async def _poll_into(self, lanes: Lanes, taking_on: Outage) -> None:
        backoff = self._backoff
        telegram = Outage("getUpdates", self._application.bot_data.clock)
        while not self._stopping.is_set():
            try:
                batch = await self._fetch()
            except RetryAfter as error:
                wait = _seconds(error.retry_after) + RETRY_AFTER_SLACK_SECONDS
                log.warning("getUpdates: flood control, waiting %.1f s", wait)
            except TimedOut:
                # The long poll outlived the read timeout on the way: ask again at once.
                continue
            except InvalidToken:
                log.error("getUpdates: Telegram says the token is invalid; polling stops")
                return
            except Conflict as error:
                wait = backoff.delay()
                telegram.failed(f"Conflict: {error.message}", wait, hint=CONFLICT_HINT)
            except TelegramError as error:  # network errors and Telegram's 5xx
                wait = backoff.delay()
                telegram.failed(f"{type(error).__name__}: {error.message}", wait)
            except Exception as error:
                # PTB could not read what Telegram sent. Nothing was handled or confirmed;
                # PTB's Updater also just asks again. The traceback once, for the bug report.
                wait = backoff.delay()
                if not telegram.ongoing:
                    log.debug("getUpdates: unreadable answer", exc_info=True)
                telegram.failed(f"unreadable answer: {type(error).__name__}", wait)
            else:
                if batch is None:  # stop requested while waiting
                    return
                telegram.recovered()
                if lanes.failed():
                    # Given back with everything after them: all come again, after the
                    # pause. Not reset by the successful getUpdates before it: while the
                    # database is down, every round fetches the same updates and fails.
                    wait = backoff.delay()
                    taking_on.failed("updates could not be claimed", wait)
                else:
                    lanes.take(batch, self._confirmed)
                    if lanes.busy:
                        await self._pause_while_busy(lanes)
                    continue
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)

    async def _pause_while_busy(self, lanes: Lanes) -> None:
        """Until the updates in hand are done (a long poll may then wait for the next one,
        which is answered at once) or BACKLOG_POLL_SECONDS pass (to see who else wrote)."""
        waits = [
            asyncio.ensure_future(lanes.idle.wait()),
            asyncio.ensure_future(self._stopping.wait()),
        ]
        try:
            await asyncio.wait(
                waits, timeout=BACKLOG_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for wait in waits:
                wait.cancel()

    async def _fetch(self) -> tuple[Update, ...] | None:
        """The next batch, or None when a stop was asked for while waiting for it. A
        batch cut off that way was never seen here and stays with Telegram."""
        offset = self._offset
        request = asyncio.ensure_future(
            self._application.bot.get_updates(
                offset=offset,
                limit=BATCH_LIMIT,
                timeout=self._timeout,
                allowed_updates=self._allowed_updates,
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait([request, stopping], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in (request, stopping):
                if not waiting.done():
                    waiting.cancel()
                    with suppress(asyncio.CancelledError):
                        await waiting
        if request.cancelled():
            return None
        batch = request.result()
        self._confirmed = offset
        return batch

    def _delivering(self, taking_on: Outage) -> Callable[[Update], Awaitable[Outcome]]:
        async def deliver(update: Update) -> Outcome:
            # Ids and kinds only: what users write stays out of the log (LOG_USER_TEXT).
            log.debug("update %d: %s", update.update_id, update_kind(update))
            outcome = await self._application.deliver(update)
            if outcome is not Outcome.NOT_TAKEN:
                # Said when it happens: the lanes run apart from the loop that fetches.
                taking_on.recovered()
                self._backoff.reset()
            return outcome

        return deliver

    async def _confirm(self) -> None:
        """Tell Telegram the handled updates are done, so a restart does not get them again
        (they would be dropped as done; this saves the round trip). The update the call
        returns, if any, stays unconfirmed for the next poller."""
        if self._offset is None or self._offset == self._confirmed:
            return
        try:
            await self._application.bot.get_updates(
                offset=self._offset,
                limit=1,
                timeout=timedelta(0),
                allowed_updates=self._allowed_updates,
            )
        except TelegramError as error:
            log.warning("could not confirm the last handled updates (%s)", error)
        else:
            self._confirmed = self._offset


def update_kind(update: Update) -> str:
    """`message`, `callback_query`…: the field of the update that is set."""
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return str(kind)
    return "unknown"


def _seconds(period: int | timedelta) -> float:
    return period.total_seconds() if isinstance(period, timedelta) else float(period)


# -- lifecycle -------------------------------------------------------------------------


@asynccontextmanager
async def polling(
    application: BotApplication,
    *,
    allowed_updates: Sequence[str] = ALLOWED_UPDATES,
    timeout: float = POLL_TIMEOUT_SECONDS,
) -> AsyncIterator[Poller]:
    """Run the bot with long polling inside an existing event loop (`python -m bot run`, the
    terminal chat, tests): PTB's start-up steps and hooks, then the poller. Leaving stops
    the poller first (the updates in hand finish), then the application, post_stop,
    shutdown and post_shutdown, as `run_polling` does; the loop and its signals stay the
    caller's."""
    async with AsyncExitStack() as stack:
        await application.initialize()
        stack.push_async_callback(shut_down_application, application)
        if application.post_init:
            await application.post_init(application)
        await application.start()
        stack.push_async_callback(stop_application, application)
        poller = Poller(application, allowed_updates=allowed_updates, timeout=timeout)
        await poller.start()
        stack.push_async_callback(poller.stop)
        yield poller


def run_polling(application: BotApplication, *, allowed_updates: Sequence[str]) -> int:
    """`python -m bot run`: poll until SIGTERM or SIGINT, then stop cleanly. Returns the
    exit status: 0, or 1 when polling could not go on (an invalid token)."""
    return asyncio.run(_poll_until_signalled(application, allowed_updates))


async def _poll_until_signalled(
    application: BotApplication, allowed_updates: Sequence[str]
) -> int:
    status = 0
    with StopSignals("polling") as signals:
        try:
            async with polling(application, allowed_updates=allowed_updates) as started:
                signals.running(on_second=started.abort)
                stopped = asyncio.ensure_future(signals.stop.wait())
                await asyncio.wait(
                    [stopped, started.finished], return_when=asyncio.FIRST_COMPLETED
                )
                stopped.cancel()
                if started.finished.done() and not signals.stop.is_set():
                    status = 1  # the poller logged why
                else:
                    log.info("polling: stop requested, finishing the updates in hand")
        except asyncio.CancelledError:
            signals.start_up_interrupted()
    log.info("polling: stopped")
    return status
