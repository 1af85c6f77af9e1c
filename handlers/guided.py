"""The shape every question-by-question flow shares: one ASKING state in which a button
answers, typed text answers, and anything else gets a hint; /cancel and the global
commands are the ways out (the `fallbacks`). Where the user is, and their answers, live in
the database (bot/runtime/persistence.py), so a restart or another bot process carries on."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import AnyHandler, BotContext
from bot.runtime.persistence import StoredConversation

ASKING = 1
FRESH = ~filters.UpdateType.EDITED
TYPED_TEXT = filters.TEXT & ~filters.COMMAND & FRESH
StateCallback = Callable[[Update, BotContext], Coroutine[Any, Any, int]]


def question_conversation(
    *,
    name: str,
    entry_points: Sequence[AnyHandler],
    button: BaseHandler[Update, BotContext, Any],
    typed: StateCallback,
    other: StateCallback,
    fallbacks: Sequence[AnyHandler],
    typed_filter: filters.BaseFilter = TYPED_TEXT,
    timeout_minutes: int = 60,
) -> StoredConversation:
    asking: list[AnyHandler] = [
        button,
        MessageHandler(typed_filter, typed),
        MessageHandler(~filters.COMMAND & FRESH, other),
    ]
    return StoredConversation(
        name=name,
        entry_points=entry_points,
        states={ASKING: asking},
        fallbacks=fallbacks,
        idle_timeout=timedelta(minutes=timeout_minutes),
    )
