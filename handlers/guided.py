"""The shape every question-by-question flow shares: one ASKING state in which a button
answers, typed text answers, and anything else gets a hint; /cancel and the global
commands are the ways out (the `fallbacks`)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler, MessageHandler, filters

from bot.context import AnyHandler, BotContext

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
) -> ConversationHandler[BotContext]:
    asking: list[AnyHandler] = [
        button,
        MessageHandler(typed_filter, typed),
        MessageHandler(~filters.COMMAND & FRESH, other),
    ]
    return ConversationHandler(
        name=name,
        entry_points=list(entry_points),
        states={ASKING: asking},
        fallbacks=list(fallbacks),
        allow_reentry=True,
        conversation_timeout=timeout_minutes * 60,
    )
