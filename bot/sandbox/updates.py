"""The update queue behind getUpdates, and webhook delivery of the same queue.

Semantics follow the Bot API: an update stays queued until a later getUpdates confirms it
with a larger offset (or a webhook answers 2xx); only one long poll may wait at a time,
and a newer one ends the older with 409.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.sandbox.errors import conflict
from bot.sandbox.state import ChangeSignal, JsonDict, WebhookAttempt

log = logging.getLogger(__name__)

# Update types delivered when allowed_updates was never set (or set to []).
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

TERMINATED_BY_GET_UPDATES = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
TERMINATED_BY_SET_WEBHOOK = "terminated by setWebhook request"


# Random first ids stay below 2**30, far from the int32 limit of getUpdates' offset however
# many updates follow.
FIRST_UPDATE_ID_RANGE = 2**30


def update_type(update: JsonDict) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Pending updates, offset confirmation and the one active long poll."""

    def __init__(
        self,
        on_change: Callable[[], None],
        *,
        on_poll_state: Callable[[], None] | None = None,
        first_update_id: int | None = None,
    ) -> None:
        """`on_change`: updates were queued or handed out (activity);
        `on_poll_state`: a long poll started or stopped waiting (not activity);
        `first_update_id`: where numbering starts (default: a random number)."""
        self._updates: list[JsonDict] = []
        # Re-delivered copies not handed out yet: the offset that confirmed the original
        # must not confirm the copy before the bot has seen it.
        self._resent: set[int] = set()
        # Like Telegram after a quiet week: the first id is random, not 1. A bot remembers
        # the ids it handled (to drop re-deliveries), so a sandbox restarted against the
        # same database must not hand out the same ids again.
        self._next_update_id = first_update_id or 1 + secrets.randbelow(FIRST_UPDATE_ID_RANGE)
        self._handed_out_up_to = 0
        self._allowed: frozenset[str] | None = None
        self._active_poll: asyncio.Future[str | None] | None = None
        self._arrival = ChangeSignal()
        self._on_change = on_change
        self._on_poll_state = on_poll_state or (lambda: None)

    # -- producing -------------------------------------------------------------------

    def push(self, body: JsonDict) -> JsonDict:
        """Give `body` (e.g. {"message": {...}}) an update_id and queue it if allowed."""
        update = {"update_id": self._next_update_id, **body}
        self._next_update_id += 1
        if self._is_allowed(update_type(update)):
            self._updates.append(update)
            self._wake_poll(None)
            self._arrival.notify()
        self._on_change()
        return update

    def redeliver(self, update: JsonDict) -> None:
        """Queue an update again under its own update_id, as Telegram does when the bot's
        confirmation never arrived (a webhook answer lost, a poller that restarted before
        its next getUpdates). The bot sees the same update twice."""
        update_id = update["update_id"]
        if update_id >= self._next_update_id:
            raise ValueError(f"update {update_id} was never delivered")
        if any(queued["update_id"] == update_id for queued in self._updates):
            return  # still queued: it will be delivered anyway
        self._updates.append(dict(update))
        self._updates.sort(key=lambda queued: int(queued["update_id"]))
        self._resent.add(update_id)
        self._wake_poll(None)
        self._arrival.notify()
        self._on_change()

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        """Sticky like Telegram's: None keeps the previous choice, [] means the default."""
        if allowed is not None:
            self._allowed = frozenset(allowed) or None

    def _is_allowed(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in OPT_IN_UPDATE_TYPES
        return kind in self._allowed

    # -- reading state ---------------------------------------------------------------

    @property
    def pending_count(self) -> int:
        """Updates not yet confirmed (what getWebhookInfo reports)."""
        return len(self._updates)

    @property
    def undelivered_count(self) -> int:
        """Updates the bot has never received."""
        return sum(
            1
            for u in self._updates
            if u["update_id"] > self._handed_out_up_to or u["update_id"] in self._resent
        )

    @property
    def polling(self) -> bool:
        """A long poll is waiting for updates right now."""
        return self._active_poll is not None and not self._active_poll.done()

    def first_pending(self) -> JsonDict | None:
        return self._updates[0] if self._updates else None

    # -- consuming -------------------------------------------------------------------

    def drop_all(self) -> None:
        self._updates.clear()
        self._resent.clear()
        self._handed_out_up_to = self._next_update_id - 1
        self._on_change()

    def confirm(self, offset: int) -> None:
        """offset > 0 forgets updates below it; offset -n keeps only the last n."""
        before = len(self._updates)
        if offset > 0:
            self._updates = [
                u
                for u in self._updates
                if u["update_id"] >= offset or u["update_id"] in self._resent
            ]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != before:
            # A confirmation is how a polling bot says it handled an update: waiters for
            # "settled" need to hear of it.
            self._on_change()

    def mark_delivered(self, update_id: int) -> None:
        self._updates = [u for u in self._updates if u["update_id"] != update_id]
        self._resent.discard(update_id)
        self._handed_out_up_to = max(self._handed_out_up_to, update_id)
        self._on_change()

    async def long_poll(self, offset: int, limit: int, timeout: float) -> list[JsonDict]:
        """getUpdates: answer at once when updates wait, else when one arrives or time is up."""
        self.terminate_poll(TERMINATED_BY_GET_UPDATES)
        self.confirm(offset)
        if not self._updates and timeout > 0:
            await self._wait_for_update(timeout)
        return self._hand_out(limit)

    def terminate_poll(self, reason: str) -> None:
        """End the waiting long poll (if any) with 409 `reason`."""
        self._wake_poll(reason)

    def release_poll(self) -> None:
        """Let the waiting long poll return its batch now, e.g. at shutdown."""
        self._wake_poll(None)

    async def wait_for_arrival(self) -> None:
        await self._arrival.wait(None)

    async def _wait_for_update(self, timeout: float) -> None:
        waiter: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._active_poll = waiter
        self._on_poll_state()
        try:
            reason = await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            reason = None
        finally:
            if self._active_poll is waiter:
                self._active_poll = None
            self._on_poll_state()
        if reason is not None:
            raise conflict(reason)

    def _wake_poll(self, reason: str | None) -> None:
        poll = self._active_poll
        if poll is not None and not poll.done():
            poll.set_result(reason)
        self._active_poll = None

    def _hand_out(self, limit: int) -> list[JsonDict]:
        batch = self._updates[:limit]
        self._resent.difference_update(u["update_id"] for u in batch)
        if batch:
            self._handed_out_up_to = max(self._handed_out_up_to, batch[-1]["update_id"])
            self._on_change()
        return batch


@dataclass(kw_only=True)
class WebhookConfig:
    """What setWebhook stored; compared as a whole to answer "Webhook is already set"."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    allowed_updates: list[str] | None = None
    has_custom_certificate: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off of webhook re-delivery; short by default because the sandbox is local."""

    first_delay: float = 0.1
    max_delay: float = 5.0
    request_timeout: float = 10.0
    max_retry_after: float = 3600.0


class WebhookDeliverer:
    """Posts queued updates, oldest first and one at a time, to the bot's webhook URL."""

    def __init__(
        self,
        queue: UpdateQueue,
        session: aiohttp.ClientSession,
        config: WebhookConfig,
        *,
        policy: RetryPolicy,
        on_attempt: Callable[[WebhookAttempt], None],
        clock: Clock,
    ) -> None:
        self.config = config
        self._clock = clock
        self.in_flight = False
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._queue = queue
        self._session = session
        self._policy = policy
        self._on_attempt = on_attempt
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self.in_flight = False

    async def _run(self) -> None:
        delay = self._policy.first_delay
        while True:
            update = self._queue.first_pending()
            if update is None:
                await self._queue.wait_for_arrival()
                continue
            retry_after = await self._deliver(update)
            if retry_after is None:
                self._queue.mark_delivered(update["update_id"])
                delay = self._policy.first_delay
                continue
            # Telegram backs off on failures and honours the bot's own Retry-After.
            await asyncio.sleep(max(delay, min(retry_after, self._policy.max_retry_after)))
            delay = min(delay * 2, self._policy.max_delay)

    async def _deliver(self, update: JsonDict) -> float | None:
        """POST one update; None on success, else the pause the bot asked for (0 if none)."""
        headers = {"Content-Type": "application/json"}
        if self.config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.config.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        timeout = aiohttp.ClientTimeout(total=self._policy.request_timeout)
        self.in_flight = True
        status: int | None = None
        retry_after = 0.0
        try:
            async with self._session.post(
                self.config.url, data=body, headers=headers, timeout=timeout
            ) as response:
                status = response.status
                await response.read()
                retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                error = None if 200 <= status < 300 else _wrong_response(response)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        finally:
            self.in_flight = False
        self._record(update["update_id"], status, error)
        return None if error is None else retry_after

    def _record(self, update_id: int, status: int | None, error: str | None) -> None:
        if error is not None:
            self.last_error_date = int(self._clock.now().timestamp())
            self.last_error_message = error
            log.info("webhook delivery of update %s failed: %s", update_id, error)
        attempt = WebhookAttempt(
            update_id=update_id,
            url=self.config.url,
            status=status,
            error=error,
            time=self._clock.now().timestamp(),
        )
        self._on_attempt(attempt)

    def info(self, pending_update_count: int) -> JsonDict:
        info: JsonDict = {
            "url": self.config.url,
            "has_custom_certificate": self.config.has_custom_certificate,
            "pending_update_count": pending_update_count,
            "max_connections": self.config.max_connections,
        }
        if self.config.ip_address:
            info["ip_address"] = self.config.ip_address
        if self.config.allowed_updates is not None:
            info["allowed_updates"] = self.config.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info


class WebhookManager:
    """Owns the current webhook (if any), its delivery task and the HTTP client session."""

    def __init__(
        self,
        queue: UpdateQueue,
        *,
        policy: RetryPolicy,
        on_attempt: Callable[[WebhookAttempt], None],
        clock: Clock,
    ) -> None:
        self.policy = policy
        self._clock = clock
        self._queue = queue
        self._on_attempt = on_attempt
        self._deliverer: WebhookDeliverer | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def active(self) -> bool:
        return self._deliverer is not None

    @property
    def in_flight(self) -> bool:
        return self._deliverer is not None and self._deliverer.in_flight

    async def set(self, config: WebhookConfig) -> bool:
        """Start delivering to `config.url`; False when exactly this webhook was already set."""
        if self._deliverer is not None and self._deliverer.config == config:
            return False
        await self.delete()
        if self._session is None:
            self._session = aiohttp.ClientSession()
        self._deliverer = WebhookDeliverer(
            self._queue,
            self._session,
            config,
            policy=self.policy,
            on_attempt=self._on_attempt,
            clock=self._clock,
        )
        self._deliverer.start()
        return True

    async def delete(self) -> bool:
        """Stop delivering; False when no webhook was set."""
        deliverer, self._deliverer = self._deliverer, None
        if deliverer is None:
            return False
        await deliverer.stop()
        return True

    def info(self) -> JsonDict:
        pending = self._queue.pending_count
        if self._deliverer is None:
            return webhook_info_when_unset(pending)
        return self._deliverer.info(pending)

    async def close(self) -> None:
        await self.delete()
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _wrong_response(response: aiohttp.ClientResponse) -> str:
    return f"Wrong response from the webhook: {response.status} {response.reason or ''}".strip()


def _retry_after_seconds(header: str | None) -> float:
    try:
        return max(0.0, float(header)) if header else 0.0
    except ValueError:
        return 0.0


def webhook_info_when_unset(pending_update_count: int) -> dict[str, Any]:
    return {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": pending_update_count,
    }
