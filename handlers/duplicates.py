"""Runs first of all: drops an update the bot has already taken on.

Telegram re-delivers an update when a webhook answer is lost or a poller restarts before
confirming it, and several instances may receive the same one. Without this, the user
would get two answers, or two tracked orders from one message.

The id is recorded before the update is handled, so delivery becomes at most once: if the
process dies half-way through an update, its re-delivery is dropped and the user has to
repeat themselves. That is the lesser evil next to answering twice or tracking an order
twice, and a crash in the middle of one update is rare.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.context import BotContext
from bot.db import processed_updates

log = logging.getLogger(__name__)

# Pruning piggy-backs on update traffic instead of a scheduled job: the table only grows
# when updates arrive, so forgetting old ids on arrival keeps it bounded, and an idle bot
# does no work. Once an hour per process is one indexed DELETE, invisible next to the
# INSERT every update already costs; several processes pruning the same rows is harmless.
PRUNE_INTERVAL_SECONDS = 3600.0


class DuplicateFilter:
    """The group -2 handler's state: when this process last pruned old ids."""

    def __init__(self) -> None:
        self._last_pruned: float | None = None

    async def __call__(self, update: Update, context: BotContext) -> None:
        now = datetime.now(UTC)
        async with context.session() as session, session.begin():
            fresh = await processed_updates.claim_update(
                session, context.bot.id, update.update_id, now
            )
        if not fresh:
            log.info("dropped update %s: it was delivered before", update.update_id)
            raise ApplicationHandlerStop
        await self._prune_now_and_then(context, now)

    async def _prune_now_and_then(self, context: BotContext, now: datetime) -> None:
        started = time.monotonic()
        if self._last_pruned is not None and started - self._last_pruned < PRUNE_INTERVAL_SECONDS:
            return
        self._last_pruned = started
        try:
            async with context.session() as session, session.begin():
                forgotten = await processed_updates.prune(session, now)
        except SQLAlchemyError:
            # Housekeeping: the update itself is fine, and the next prune catches up.
            log.warning("could not prune processed update ids", exc_info=True)
            return
        if forgotten:
            log.info("forgot %d processed update ids", forgotten)


def register(application: Application) -> None:  # type: ignore[type-arg]
    # Group -2: before group -1 remembers the user, so a duplicate changes nothing at all.
    application.add_handler(TypeHandler(Update, DuplicateFilter()), group=-2)
