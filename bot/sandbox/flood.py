"""Flood control for the sandbox: token buckets shaped like Telegram's published limits.

Telegram does not publish exact numbers; the Bots FAQ speaks of about one message per
second per chat with short bursts, about 30 messages per second overall, and at most 20
messages per minute to one group. The defaults below follow that. Tests can switch the
whole thing off with `FloodLimits.off()` or loosen single numbers with
`dataclasses.replace`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

ChatKey = int | str


@dataclass(frozen=True)
class FloodLimits:
    """Rates and bursts of the three bucket kinds. A rate is refilled tokens per second."""

    enabled: bool = True
    global_per_second: float = 30.0
    global_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_second: float = 20.0 / 60.0
    group_burst: int = 20

    @classmethod
    def off(cls) -> FloodLimits:
        """No flood control at all (for tests that send many messages quickly)."""
        return cls(enabled=False)


class TokenBucket:
    """A classic token bucket; `wait_time` tells how long until one token is available."""

    def __init__(self, capacity: int, refill_per_second: float, now: float) -> None:
        self._capacity = float(max(capacity, 1))
        self._refill = refill_per_second
        self._tokens = self._capacity
        self._updated = now

    def wait_time(self, now: float) -> float:
        self._refill_until(now)
        if self._tokens >= 1.0:
            return 0.0
        if self._refill <= 0:
            return math.inf
        return (1.0 - self._tokens) / self._refill

    def take(self, now: float) -> None:
        self._refill_until(now)
        self._tokens -= 1.0

    def _refill_until(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self._capacity, self._tokens + elapsed * self._refill)
        self._updated = now


def is_group_chat(chat: ChatKey) -> bool:
    """Groups, supergroups and channels: negative ids or an @username."""
    return isinstance(chat, str) or chat < 0


class FloodControl:
    """Decides whether one more message to `chat` is allowed right now."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._global: TokenBucket | None = None
        self._per_chat: dict[ChatKey, TokenBucket] = {}

    def acquire(self, chat: ChatKey) -> int | None:
        """Take a token for `chat`; return None when allowed, else retry_after in seconds.

        Every bucket involved is checked before any is charged, so a refused message does
        not eat into the global allowance.
        """
        if not self.limits.enabled:
            return None
        now = self._clock()
        buckets = [self._global_bucket(now), self._chat_bucket(chat, now)]
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(now)
        return None

    def reset(self) -> None:
        self._global = None
        self._per_chat.clear()

    def _global_bucket(self, now: float) -> TokenBucket:
        if self._global is None:
            limits = self.limits
            self._global = TokenBucket(limits.global_burst, limits.global_per_second, now)
        return self._global

    def _chat_bucket(self, chat: ChatKey, now: float) -> TokenBucket:
        bucket = self._per_chat.get(chat)
        if bucket is None:
            limits = self.limits
            if is_group_chat(chat):
                bucket = TokenBucket(limits.group_burst, limits.group_per_second, now)
            else:
                bucket = TokenBucket(limits.private_burst, limits.private_per_second, now)
            self._per_chat[chat] = bucket
        return bucket
