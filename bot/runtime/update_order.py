"""The poller's updates in hand: each user's in the order sent, different users' side by
side, and the offset up to which Telegram may forget them.

A user whose answers wait on Telegram's flood control (about one message a second per
chat) can have a minute of backlog. Handling a batch to its end before asking for the next
one, as the poller once did, made every user who wrote meanwhile wait for that backlog.
Here a batch is only handed out: each update joins its user's lane (bot/runtime/delivery.py's
`update_key`), a lane handles its updates one after the other, and the poller asks for the
next batch at once, so a user who writes now gets a lane of their own and is answered
while the other lane is still sending.

Telegram forgets every update below the offset a getUpdates call sends, so the offset
stops at the oldest update in hand (or left unhandled): an update is confirmed only once
it and everything before it is done, and a process that dies loses nothing. The price is
that Telegram returns the updates in hand again on every call, and at once: the poller
skips them here, and paces its calls while updates are in hand (bot/runtime/polling.py).
It also bounds the fairness: a call returns at most 100 updates from the offset, so a
user who writes after another user's 100 unfinished updates waits until that backlog
shrinks below 100.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterable

from telegram import Update

from bot.runtime.delivery import Outcome, update_key

Deliver = Callable[[Update], Awaitable[Outcome]]


class Lanes:
    """Updates taken from Telegram and not yet confirmable (module docstring)."""

    def __init__(
        self, deliver: Deliver, tasks: asyncio.TaskGroup, stopping: asyncio.Event
    ) -> None:
        self._deliver = deliver
        self._tasks = tasks
        self._stopping = stopping
        self._lanes: dict[Hashable, deque[Update]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        # Ids at or above the offset that this poller has taken on: in hand or done. Done
        # ones come back from Telegram until the offset passes them and are skipped.
        self._taken: set[int] = set()
        self._in_hand: set[int] = set()
        # Given back (a stop, or a claim that failed): Telegram hands them out again.
        self._unhandled: set[int] = set()
        self._next: int | None = None  # one past the newest update taken
        self._failed = False
        # Set while nothing is in hand: the poller may then hold a long poll open again.
        self.idle = asyncio.Event()
        self.idle.set()

    @property
    def offset(self) -> int | None:
        """What the next getUpdates may send: Telegram then keeps every update not done,
        and every update after the oldest of those."""
        pending = self._in_hand | self._unhandled
        return min(pending) if pending else self._next

    @property
    def busy(self) -> bool:
        """Updates are in hand: Telegram answers the next getUpdates at once with them."""
        return bool(self._in_hand)

    def failed(self) -> bool:
        """Whether an update could not be taken on since the last call (its lane gave it
        and its successors back, to be fetched again after a pause)."""
        failed, self._failed = self._failed, False
        return failed

    def take(self, batch: Iterable[Update], sent_offset: int | None) -> None:
        """Hand each new update of `batch` (the answer to a getUpdates that sent
        `sent_offset`) to its user's lane; skip those already taken."""
        if sent_offset is not None:
            # Telegram has forgotten these and will not send them again; a call sent
            # before the offset moved may still return done ones above it.
            self._taken = {update_id for update_id in self._taken if update_id >= sent_offset}
        for update in batch:
            update_id = update.update_id
            if update_id in self._taken:
                continue
            self._taken.add(update_id)
            self._in_hand.add(update_id)
            self.idle.clear()
            self._unhandled.discard(update_id)
            self._next = max(self._next or 0, update_id + 1)
            key = update_key(update) or ("update", update_id)
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = deque()
                worker = self._tasks.create_task(self._run(key, lane), name=f"lane-{key}")
                self._workers.add(worker)
                worker.add_done_callback(self._workers.discard)
            # A lane only ends once empty (checked without an await in between), so an
            # update added here is always handled by the running lane, after those before.
            lane.append(update)

    def cancel(self) -> None:
        """Cancel the updates in hand: each gives its claim back (bot/runtime/delivery.py),
        and Telegram, never told they were done, hands them out again."""
        for worker in tuple(self._workers):
            worker.cancel()

    async def _run(self, key: Hashable, lane: deque[Update]) -> None:
        try:
            while lane:
                update = lane[0]
                if self._stopping.is_set():
                    self._give_back(lane)
                    return
                if await self._deliver(update) is Outcome.NOT_TAKEN:
                    # The rest of the lane waits with it: order within a user holds.
                    self._failed = True
                    self._give_back(lane)
                    return
                lane.popleft()
                self._done_with(update.update_id)
        finally:
            del self._lanes[key]

    def _done_with(self, update_id: int) -> None:
        self._in_hand.discard(update_id)
        if not self._in_hand:
            self.idle.set()

    def _give_back(self, lane: deque[Update]) -> None:
        for update in lane:
            self._done_with(update.update_id)
            self._taken.discard(update.update_id)
            self._unhandled.add(update.update_id)
        lane.clear()
