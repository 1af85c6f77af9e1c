"""Conversation state in the database: a restart mid-conversation resumes where the user
was, and several bot processes on one PostgreSQL database share every conversation.

What is stored, per user (tables `conversation_states` and `user_flows`, bot/db/models.py):
the state of each conversation they are in, and `UserState.flow`, the answers given so far.
Both as JSON, never pickled. Both are per chat and user: conversations by their key, flows
inside the user's one `user_flows` document, the private chat's at the top (as before
groups had their own) and every other chat's under `other_chats` by chat id, so a flow in
one group never sees another group's answers. Language, time zone and privacy choices
are not stored here: they live in `users` and are read on every update anyway.
`bot_data` (the process's Services), chat data and callback data are not persisted at all.

How the pieces fit (python-telegram-bot's own persistence is built for one process that
loads everything at start-up and writes back now and then; here the database is the truth):

- Read at the start of every update. The users handler (group -1, before any conversation
  looks at the update) calls `resume_user_state`, which loads the user's flow and
  conversation states in the same transaction that records the user, and puts them where
  python-telegram-bot reads them. Another process may have moved the user on since this
  one last saw them, so nothing in memory is trusted. Nothing is loaded at start-up.
- Written when the update is done. `DurableApplication.process_update` runs the update and
  then `update_persistence`, which hands the changes to `DatabasePersistence` and writes
  them in one transaction: the state and the answers that led to it are never half-saved.
  PTB would otherwise write only every `update_interval` seconds, and a `kill -9` in
  between would forget the user's last answers. Only what a handler changed is written; a
  user's in-memory flow that was not loaded during this update is never written back, so a
  stale copy cannot overwrite what another process saved. The periodic write PTB still
  runs is a backstop for changes made outside updates. A user's updates are handled one
  at a time (bot/runtime/delivery.py), so each update's write lands before that user's next
  update reads. Other users' updates run alongside, and the write at the end of one of
  them never catches this user half-way: PTB marks a user's data for writing only once
  the user's update is through its handlers, and a conversation's new state is set when
  its callback returns. A write
  that fails goes to the error handler and is kept for the next one; until it succeeds,
  the unwritten values win over what the database says.
- Idle timeout from the database. `StoredConversation.idle_timeout` replaces PTB's
  `conversation_timeout`, whose timers live in one process's memory: they are lost on a
  restart (a resumed conversation would never expire) and, with several processes, a stale
  timer on one would end a conversation the user is still having on another. Here a
  conversation whose last step is older than its timeout is ended when the user next
  writes, and an hourly sweep deletes idle rows (drafts included) nobody came back to.
  None of our conversations says anything when it times out, so the user sees the same.

The window that remains: the reply is sent inside the handler and the state is written
right after it. A process killed in between has not marked the update done, so it is
handled again after the restart, from the state before it (bot/runtime/delivery.py); the user may
see that step's answer twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import (
    Application,
    BasePersistence,
    ExtBot,
    JobQueue,
    PersistenceInput,
)

from bot.clock import Clock, SystemClock
from bot.context import BotApplication, BotContext, Services, UserState
from bot.db import conversations
from bot.db.conversations import StateChange, StateId
from bot.db.engine import create_sessionmaker, is_transient_database_error
from bot.runtime.delivery import Deliveries, Outcome
from bot.runtime.instance_lock import InstanceLock
from bot.runtime.senders import Senders, is_channel_post
from handlers.conversation import (
    ConversationKey,
    StoredConversation,
    conversation_key,
    conversation_states,
    stored_conversations,
)
from handlers.errors import NotSavedError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
    from telegram.ext._utils.types import CDCData


log = logging.getLogger(__name__)

# Called with each update and what became of it; must not block (it runs in the delivery).
DeliveryObserver = Callable[[object, Outcome], None]
# PTB's own periodic write only catches changes made outside an update (every update
# writes its changes when it ends); a few seconds keeps that gap small and costs nothing
# when there is nothing to write.
BACKSTOP_INTERVAL_SECONDS = 5.0
SWEEP_INTERVAL = timedelta(hours=1)


def _state_id(name: str, key: ConversationKey) -> StateId:
    return name, json.dumps(list(key), separators=(",", ":"))


def _canonical(flow: dict[str, object]) -> str:
    # Refuses what JSON cannot hold (a datetime, a set, NaN) at the moment it is written,
    # with the handler's update still at hand in the error report.
    return json.dumps(flow, sort_keys=True, separators=(",", ":"), allow_nan=False)


# In a user's flow document: the flows of chats other than the private one, by chat id.
OTHER_CHATS = "other_chats"
# How the key appears in a canonical document (user text in it would have its quotes escaped).
_OTHER_CHATS_JSON = f'"{OTHER_CHATS}":'


def flow_in_chat(document: dict[str, Any], user_id: int, chat_id: int) -> dict[str, Any]:
    """The user's flow in one chat, out of their whole stored document."""
    if chat_id == user_id:
        return {name: value for name, value in document.items() if name != OTHER_CHATS}
    others = document.get(OTHER_CHATS)
    flow = others.get(str(chat_id)) if isinstance(others, dict) else None
    return dict(flow) if isinstance(flow, dict) else {}


def with_flow_in_chat(
    document: dict[str, Any], user_id: int, chat_id: int, flow: dict[str, Any]
) -> dict[str, Any]:
    """The document with the flow in `chat_id` replaced (an empty flow removed)."""
    others = document.get(OTHER_CHATS)
    others = dict(others) if isinstance(others, dict) else {}
    if chat_id == user_id:
        updated = dict(flow)
    else:
        updated = flow_in_chat(document, user_id, user_id)
        if flow:
            others[str(chat_id)] = flow
        else:
            others.pop(str(chat_id), None)
    if others:
        updated[OTHER_CHATS] = others
    return updated


class DatabasePersistence(BasePersistence[UserState, dict[object, object], Services]):
    """python-telegram-bot persistence on the bot's own database (module docstring).

    Meant for `DurableApplication`, which writes after every update; `update_*` only note
    the change, `flush` writes everything noted in one transaction.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        update_interval: float = BACKSTOP_INTERVAL_SECONDS,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._sessions = create_sessionmaker(engine)
        self._clock = clock or SystemClock()
        # The flow as the database holds it, per user, since this process last read or
        # wrote it: only a flow that differs from it is written, and only for users whose
        # flow was read during the current update.
        self._known_flows: dict[int, str] = {}
        self._pending_flows: dict[int, dict[str, Any] | None] = {}
        self._pending_states: dict[StateId, StateChange] = {}
        self._write_lock = asyncio.Lock()

    # -- reading: per update, not at start-up ----------------------------------------

    async def resume(
        self,
        session: AsyncSession,
        application: Application[Any, Any, Any, Any, Any, Any],
        update: Update,
        state: UserState,
    ) -> None:
        """Put the user's flow and conversation states, as the database has them, where
        the handlers of this update will read them. Changes not yet written win."""
        user = update.effective_user
        if user is None:
            return
        stored = await conversations.load_user(session, user.id)
        chat = update.effective_chat
        if user.id in self._pending_flows:
            # Not written yet: newer than what the database holds.
            document = self._pending_flows[user.id] or {}
        else:
            document = stored.flow
            self._known_flows[user.id] = _canonical(stored.flow)
        state.flow_chat = chat.id if chat is not None else user.id
        state.flow.clear()
        state.flow.update(flow_in_chat(document, user.id, state.flow_chat))
        now = self._clock.now()
        for handler in stored_conversations(application):
            key = conversation_key(handler, update)
            if key is None or handler.name is None:
                continue
            state_id = _state_id(handler.name, key)
            if state_id in self._pending_states:
                continue
            found = stored.states.get(state_id)
            if found is not None and now - found.updated_at > handler.idle_timeout:
                await conversations.delete_idle_state(
                    session, state_id, now - handler.idle_timeout
                )
                found = None
            states = conversation_states(handler)
            if found is None:
                # Untracked on purpose: the database already has no row to delete.
                states.data.pop(key, None)
            else:
                states.update_no_track({key: found.state})

    async def get_user_data(self) -> dict[int, UserState]:
        # Read per update by `resume`, so that another process's changes are seen.
        return {}

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        return {}

    async def refresh_user_data(self, user_id: int, user_data: UserState) -> None:
        # `resume` does this, together with the conversation states PTB has no hook for,
        # from the same read.
        return

    async def get_chat_data(self) -> dict[int, dict[object, object]]:
        return {}

    async def get_bot_data(self) -> Services:
        raise NotImplementedError("bot_data holds the process's services; it is not stored")

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[object, object]) -> None:
        return

    async def refresh_bot_data(self, bot_data: Services) -> None:
        return

    # -- noting changes ----------------------------------------------------------------

    async def update_user_data(self, user_id: int, data: UserState) -> None:
        known = self._known_flows.get(user_id)
        if known is None or data.flow_chat is None:
            # Not read from the database while handling this user: the copy in memory may
            # be older than what another process saved since, so it must not overwrite it.
            return
        flow = _canonical(data.flow)
        pending = user_id in self._pending_flows
        if data.flow_chat == user_id and not pending and _OTHER_CHATS_JSON not in known:
            # The common case, a private chat and no flow elsewhere: the flow is the document.
            document = flow
        else:
            base = (self._pending_flows[user_id] or {}) if pending else json.loads(known)
            updated = with_flow_in_chat(base, user_id, data.flow_chat, json.loads(flow))
            document = _canonical(updated)
        if document == known:
            self._pending_flows.pop(user_id, None)
        else:
            self._pending_flows[user_id] = json.loads(document)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        user_id = key[-1]
        if not isinstance(user_id, int):
            raise TypeError(f"conversation {name!r}: key {key!r} does not end with a user id")
        json.dumps(new_state, allow_nan=False)  # refuse now what JSON cannot hold
        self._pending_states[_state_id(name, key)] = StateChange(user_id, new_state)

    async def drop_user_data(self, user_id: int) -> None:
        self._known_flows.pop(user_id, None)
        self._pending_flows[user_id] = None

    async def update_chat_data(self, chat_id: int, data: dict[object, object]) -> None:
        return

    async def drop_chat_data(self, chat_id: int) -> None:
        return

    async def update_bot_data(self, data: Services) -> None:
        return

    async def update_callback_data(self, data: CDCData) -> None:
        return

    # -- writing ---------------------------------------------------------------------

    async def flush(self) -> None:
        """Write every noted change in one transaction; on failure keep them for the next
        attempt (behind anything newer) and raise."""
        async with self._write_lock:
            flows, states = self._pending_flows, self._pending_states
            self._pending_flows, self._pending_states = {}, {}
            if not flows and not states:
                return
            try:
                async with self._sessions.begin() as session:
                    present = await conversations.save(session, flows, states, self._clock.now())
            except BaseException:
                self._pending_flows = {**flows, **self._pending_flows}
                self._pending_states = {**states, **self._pending_states}
                raise
        for user_id, flow in flows.items():
            if user_id in present:
                self._known_flows[user_id] = _canonical(flow or {})
            else:  # erased meanwhile: nothing of theirs is kept
                self._known_flows.pop(user_id, None)

    async def sweep(self, handlers: Sequence[StoredConversation]) -> None:
        """Delete conversations idle past their timeout, and the drafts of users who have
        no conversation left and have not touched them for the longest timeout."""
        if not handlers:
            return
        now = self._clock.now()
        async with self._sessions.begin() as session:
            ended = 0
            for handler in handlers:
                if handler.name is not None:
                    ended += await conversations.delete_idle_states(
                        session, handler.name, now - handler.idle_timeout
                    )
            longest = max(handler.idle_timeout for handler in handlers)
            forgotten = await conversations.delete_idle_flows(session, now - longest)
        if ended or forgotten:
            log.info("ended %d idle conversations, forgot %d drafts", ended, forgotten)


class DurableApplication(
    Application[
        ExtBot[None], BotContext, UserState, dict[object, object], Services, JobQueue[BotContext]
    ]
):
    """The Application, writing conversation state when each update is done (see above),
    and handling each update at least once and a copy of a handled one never
    (bot/runtime/delivery.py)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._deliveries: Deliveries | None = None
        self._senders: Senders | None = None
        # Runs before any handler sees an update (bot/runtime/users.py).
        self.before_handlers: Callable[[BotApplication, Update], Awaitable[None]] | None = None
        # Held from start-up to shutdown on a SQLite file (bot.app).
        self.instance_lock: InstanceLock | None = None
        self._delivery_observers: list[DeliveryObserver] = []

    @property
    def senders(self) -> Senders:
        """Built on first use, as the deliveries: it asks the bot."""
        if self._senders is None:
            self._senders = Senders(self.bot)
        return self._senders

    @property
    def deliveries(self) -> Deliveries:
        """Built on first use: it needs the bot's id, known once the bot is initialised."""
        if self._deliveries is None:
            self._deliveries = Deliveries(
                self.bot_data.sessions, self.bot.id, clock=self.bot_data.clock
            )
        return self._deliveries

    async def process_update(self, update: object) -> None:
        await self.deliver(update)

    async def deliver(self, update: object) -> Outcome:
        """Handle `update` unless it is a copy, and say which it was (bot/runtime/delivery.py)."""
        update = await self.senders.resolve(update)
        outcome = await self.deliveries.deliver(update, self._handle)
        for observer in tuple(self._delivery_observers):
            try:
                observer(update, outcome)
            except Exception:
                # Watching must never change what happens to the update.
                log.exception("a delivery observer failed")
        return outcome

    def observe_deliveries(self, observer: DeliveryObserver) -> Callable[[], None]:
        """Call `observer(update, outcome)` each time an update's delivery is over (its
        handlers ran and its state was written, or it was dropped or left alone), so a
        watcher knows the moment the bot is done with an update instead of guessing from
        silence. Returns the function that stops the calls."""
        self._delivery_observers.append(observer)

        def stop() -> None:
            if observer in self._delivery_observers:
                self._delivery_observers.remove(observer)

        return stop

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Any = None,
        coroutine: Any = None,
    ) -> bool:
        """A handler failing on the database leaves its update to be retried (see
        bot/runtime/delivery.py): the error handlers hear of it as NotSavedError, once, and the
        update's remaining handlers are skipped (the retry runs them all)."""
        if not isinstance(update, Update) or not is_transient_database_error(error):
            return await super().process_error(update, error, job, coroutine)
        failure = self.deliveries.database_failed(update.update_id)
        if failure is None:  # not in hand (a handler left running on its own): a plain error
            return await super().process_error(update, error, job, coroutine)
        if failure.again_in_attempt:
            pass  # the user has heard about this attempt already
        elif failure.tell_user:
            not_saved = NotSavedError(retrying=failure.retrying)
            not_saved.__cause__ = error
            await super().process_error(update, not_saved, job, coroutine)
        else:
            log.warning(
                "update %s failed on the database again (attempt %d): %s",
                update.update_id,
                failure.attempt,
                type(error).__name__,
            )
        return True

    async def _handle(self, update: object) -> None:
        if is_channel_post(update):
            return
        if self.before_handlers is not None and isinstance(update, Update):
            try:
                await self.before_handlers(self, update)
            except Exception as error:
                if is_transient_database_error(error):
                    # Remembering the user is bookkeeping the next update redoes; the
                    # handlers answer from what was read, and one that must write fails
                    # on its own, which leaves the update to be retried.
                    log.warning(
                        "could not remember the user of update %s: %s",
                        update.update_id,
                        type(error).__name__,
                    )
                else:
                    # As for a handler that fails: the error handler apologises, and the
                    # handlers still answer from what is known.
                    await self.process_error(update=update, error=error)
        await super().process_update(update)
        await self.update_persistence()

    async def update_persistence(self) -> None:
        await super().update_persistence()
        if self.persistence is None:
            return
        try:
            await self.persistence.flush()
        except Exception as error:
            # As PTB reports its own persistence errors: to the error handler, no update.
            await self.process_error(update=None, error=error)


def durable(application: BotApplication) -> DurableApplication:
    """The application as built by `bot.app.build_application`, for the pollers and the
    webhook, which need to know what became of each update."""
    if not isinstance(application, DurableApplication):
        raise TypeError("expected the application bot.app.build_application builds")
    return application


async def _sweep_job(context: BotContext) -> None:
    persistence = context.application.persistence
    if isinstance(persistence, DatabasePersistence):
        await persistence.sweep(stored_conversations(context.application))


def schedule_sweep(job_queue: JobQueue[BotContext]) -> None:
    """Every process sweeps; the deletes are conditional, so doing it twice is harmless."""
    job_queue.run_repeating(
        _sweep_job, interval=SWEEP_INTERVAL, first=timedelta(minutes=1), name="conversation-sweep"
    )
