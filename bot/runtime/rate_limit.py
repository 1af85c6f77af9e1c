"""Telegram's flood control waited out by the chat that met it, not by every chat.

python-telegram-bot's `AIORateLimiter` keeps the bot under Telegram's overall and group
rates, and on a 429 waits `retry_after` and retries, as this does. But it holds back every
request of the bot while it waits: one user whose chat is over its per-chat limit (about
one message a second) then paused the answers to everyone else a second at a time, for as
long as that user's backlog lasted. Here the wait holds back only requests to that chat. A
429 on a request to no chat (a callback answer, a command list) holds back everything, as
before: nothing says which limit it was.

Telegram does not say which limit a 429 is about either; the overall rate kept below
(30 messages a second, Telegram's published figure) is what keeps the global one from
being met, so a 429 on a chat is taken to be that chat's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

OVERALL_PER_SECOND = 30.0
GROUP_PER_MINUTE = 20.0
# PTB's own margin, so that the retry does not arrive a hair early.
RETRY_SLACK_SECONDS = 0.1
# Past waits are forgotten once there are this many, so a long-running bot that met the
# limit in many chats keeps no entry per chat.
_FORGET_ABOVE = 512
_EVERY_CHAT = "every chat"

ChatId = int | str
JsonResult = bool | dict[str, Any] | list[dict[str, Any]]


class PerChatRateLimiter(BaseRateLimiter[int]):
    """The overall and group rates of `AIORateLimiter`, with 429s waited out per chat."""

    def __init__(self, *, max_retries: int = 2) -> None:
        self._max_retries = max_retries
        self._overall = AsyncLimiter(OVERALL_PER_SECOND, 1)
        self._groups: dict[ChatId, AsyncLimiter] = {}
        # Loop time until which requests to a chat (or to every chat) must not be sent.
        self._paused_until: dict[ChatId, float] = {}

    async def initialize(self) -> None:
        return

    async def shutdown(self) -> None:
        return

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JsonResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JsonResult:
        retries = rate_limit_args or self._max_retries
        chat = _chat_of(data)
        attempt = 0
        while True:
            await self._wait_out_pauses(chat)
            try:
                if chat is not None:
                    if _is_group(chat):
                        await self._group_limiter(chat).acquire()
                    await self._overall.acquire()
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt >= retries:
                    raise
                attempt += 1
                wait = _seconds(error.retry_after) + RETRY_SLACK_SECONDS
                log.info("flood control on %s (chat %s): waiting %.1f s", endpoint, chat, wait)
                self._pause(_EVERY_CHAT if chat is None else chat, wait)

    async def _wait_out_pauses(self, chat: ChatId | None) -> None:
        loop = asyncio.get_running_loop()
        while True:
            until = max(
                self._paused_until.get(_EVERY_CHAT, 0.0),
                self._paused_until.get(chat, 0.0) if chat is not None else 0.0,
            )
            left = until - loop.time()
            if left <= 0:
                return
            await asyncio.sleep(left)

    def _pause(self, key: ChatId, seconds: float) -> None:
        # asyncio's clock, not the bot's: this is about how long asyncio.sleep waits.
        now = asyncio.get_running_loop().time()
        if len(self._paused_until) > _FORGET_ABOVE:
            self._paused_until = {k: t for k, t in self._paused_until.items() if t > now}
        self._paused_until[key] = max(self._paused_until.get(key, 0.0), now + seconds)

    def _group_limiter(self, chat: ChatId) -> AsyncLimiter:
        limiter = self._groups.get(chat)
        if limiter is None:
            if len(self._groups) > _FORGET_ABOVE:
                # A limiter with all its capacity back remembers nothing worth keeping.
                self._groups = {
                    k: v for k, v in self._groups.items() if not v.has_capacity(v.max_rate)
                }
            limiter = self._groups[chat] = AsyncLimiter(GROUP_PER_MINUTE, 60)
        return limiter


def _chat_of(data: dict[str, Any]) -> ChatId | None:
    chat = data.get("chat_id")
    if chat is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat)
    return str(chat)


def _is_group(chat: ChatId) -> bool:
    # As AIORateLimiter: negative ids are groups, names (@channel) are channels.
    return isinstance(chat, str) or chat < 0


def _seconds(period: int | timedelta) -> float:
    return period.total_seconds() if isinstance(period, timedelta) else float(period)
