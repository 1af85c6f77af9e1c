"""Telegram is slow sometimes; the database must not wait for it. A handler commits its
write first and calls Telegram after, so a slow answer holds nobody else's write."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import select
from telegram.request import HTTPXRequest

from bot.app import BotApplication
from bot.clock import Clock
from bot.db.models import Order
from bot.db.users import touch_user
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, HandledUpdates

SLOW_SECONDS = 5.0


async def orders_of(bot: BotApplication, user_id: int) -> list[Order]:
    async with bot.bot_data.sessions() as session:
        return list(await session.scalars(select(Order).where(Order.user_id == user_id)))


def telegram_answering(monkeypatch: pytest.MonkeyPatch, *methods: str) -> asyncio.Event:
    """Set the moment the bot sends one of `methods` to Telegram."""
    sent = asyncio.Event()
    original = HTTPXRequest.do_request

    async def watched(self: HTTPXRequest, url: str, method: str, *args: Any, **kw: Any) -> Any:
        if url.rsplit("/", 1)[-1] in methods:
            sent.set()
        return await original(self, url, method, *args, **kw)

    monkeypatch.setattr(HTTPXRequest, "do_request", watched)
    return sent


async def test_a_slow_telegram_during_a_delete_holds_no_other_write(
    ann: ChatUser,
    boris: ChatUser,
    bot: BotApplication,
    sandbox: Sandbox,
    handled: HandledUpdates,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await ann.says("/track 5d toys")
    await boris.says("/start")
    await ann.taps("Delete")
    slow = ("answerCallbackQuery", "editMessageText")
    for method in slow:
        sandbox.inject_fault(method, 200, count=1, delay=SLOW_SECONDS)
    answering = telegram_answering(monkeypatch, *slow)

    confirm = sandbox.bot_messages(ann.user_id)[-1]
    (yes,) = [b for b in confirm.inline_buttons() if b["text"].startswith("Yes")]
    pressed = await sandbox.press_button(ann.user_id, confirm.message_id, yes["callback_data"])
    await answering.wait()  # Ann's delete is talking to a slow Telegram…

    started = time.monotonic()
    async with bot.bot_data.sessions.begin() as session:  # …while Boris's write comes in
        await touch_user(session, boris.user_id, now=clock.now())
    waited = time.monotonic() - started

    assert waited < SLOW_SECONDS / 2, f"Boris's write waited {waited:.1f} s for Telegram"
    assert not handled.finished(pressed["update_id"])  # Telegram was still answering Ann
    await handled.wait(pressed["update_id"])
    assert await orders_of(bot, ann.user_id) == []
