"""Getting claimed reminders out within Telegram's limits, and what a failed send means.

Telegram allows about 30 messages a second overall and one a second per chat;
AIORateLimiter has no per-private-chat limit, so the engine keeps its own token buckets.
Telegram has no idempotency key either: a send whose fate is unknown is classified
IN_DOUBT, to be repeated once and marked as a repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.reminders.store import LAST_ERROR_LENGTH, Claim

# RetryAfter.retry_after as a timedelta (the int form warns since PTB 22.2); bot.app sets
# the same, this keeps the engine right when used on its own (tests, benchmarks).
os.environ.setdefault("PTB_TIMEDELTA", "true")

_TOKEN_IN_TEXT = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


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

    def restart(self, now: float) -> None:
        """Count the next token from `now`, keeping none that refilled before it."""
        self._refill(now)
        self._tokens = min(self._tokens, 0.0)

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


@dataclass(frozen=True)
class Rate:
    """Messages per second, and how many may go at once after a quiet spell."""

    per_second: float
    burst: int


class FloodLimiter:
    """One global bucket and one bucket per chat, the shape of Telegram's limits."""

    PRUNE_ABOVE = 10_000

    def __init__(
        self, overall: Rate, per_chat: Rate, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._per_chat = per_chat
        self._clock = clock
        self._global = TokenBucket(overall.per_second, overall.burst, clock())
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

    def sent(self, chat_id: int, now: float) -> None:
        """A send to the chat is over: its next message waits a full interval from now.
        Telegram counts messages as they arrive, and a request slowed on its way (a busy
        machine, a slow network) would otherwise arrive less than the interval before the
        next one."""
        self._chat_bucket(chat_id, now).restart(now)

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
            bucket = TokenBucket(self._per_chat.per_second, self._per_chat.burst, now)
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

    def take_expiring(self, now: float) -> list[Claim]:
        """Remove queued rows whose time to be sent (`send_by`, monotonic) is over."""
        expiring = [claim for claim in self._queued if claim.send_by <= now]
        if expiring:
            self._queued = [claim for claim in self._queued if claim.send_by > now]
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
        # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that lands just
        # after the event was set, and a sender that missed its stop ran on forever.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._changed.wait()
