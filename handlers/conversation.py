"""Conversations whose state lives in the database (bot/runtime/persistence.py explains the
design): a restart, or another bot process, carries on where the user was.

`StoredConversation` is the ConversationHandler every flow is built on (handlers/guided.py);
the helpers below are the one place that reaches into how python-telegram-bot keeps a
conversation's states, which sharing them between processes needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, ConversationHandler
from telegram.ext._utils.trackingdict import TrackingDict

from bot.context import AnyHandler, BotContext

ConversationKey = tuple[int | str, ...]


class StoredConversation(ConversationHandler[BotContext]):
    """A per-user conversation whose state lives in the database (see the module docstring).

    Always persistent, keyed by (chat, user), never per message: the key's last element is
    the user, which ties the stored row to them. `idle_timeout` takes the place of PTB's
    `conversation_timeout`.
    """

    __slots__ = ("idle_timeout",)

    def __init__(
        self,
        *,
        name: str,
        entry_points: Sequence[AnyHandler],
        states: dict[object, list[AnyHandler]],
        fallbacks: Sequence[AnyHandler],
        idle_timeout: timedelta,
        allow_reentry: bool = True,
    ) -> None:
        super().__init__(
            entry_points=list(entry_points),
            states=states,
            fallbacks=list(fallbacks),
            allow_reentry=allow_reentry,
            name=name,
            persistent=True,
        )
        self.idle_timeout = idle_timeout

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, BotContext, Any, Any, Any, Any],
        check_result: Any,
        context: BotContext,
    ) -> object | None:
        try:
            return await super().handle_update(update, application, check_result, context)
        finally:
            # A step that keeps the state (the callback returned None) is activity too, as
            # it is for PTB's own timeout; PTB writes nothing for it, so ask for a write,
            # which renews `updated_at`.
            key = conversation_key(self, update)
            states = conversation_states(self)
            if key is not None and key in states:
                states.mark_as_accessed(key)


def conversation_states(
    handler: ConversationHandler[Any],
) -> TrackingDict[ConversationKey, object]:
    """The mapping in which python-telegram-bot keeps a conversation's states.

    PTB reads it in `check_update` and loads it from the persistence only at start-up; it
    has no public way to set a state later, which sharing conversations between processes
    needs. This is the one place that reaches into it (a TrackingDict once the application
    is initialised with a persistence); tests/db/test_persistence.py fails if PTB changes it.
    """
    states = handler._conversations
    if not isinstance(states, TrackingDict):
        raise RuntimeError(
            f"conversation {handler.name!r}: python-telegram-bot no longer keeps persistent "
            "states in a TrackingDict (or the application was not initialised)"
        )
    return states


def conversation_key(handler: ConversationHandler[Any], update: Update) -> ConversationKey | None:
    """The key PTB files this update's conversation under (None: it has none)."""
    chat, user = update.effective_chat, update.effective_user
    if user is None or (handler.per_chat and chat is None):
        return None
    if handler.per_chat and chat is not None:
        return (chat.id, user.id)
    return (user.id,)


def stored_conversations(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> list[StoredConversation]:
    return [
        handler
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, StoredConversation)
    ]
