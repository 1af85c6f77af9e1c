"""Fair between users: one user's backlog in a flood-limited chat never holds back another
user's answer, in polling mode as in webhook mode, and one user's answers keep the order
in which they wrote."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from bot.runtime.delivery import Outcome
from bot.runtime.rate_limit import PerChatRateLimiter
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from tests.conftest import HandledUpdates

ANN, BORIS = 1001, 1002
FLOOD = 16
FIRST_OFFER = 600_000_000_001


@pytest.fixture
def flood_limits() -> FloodLimits:
    # Telegram's shape (a short burst, then a steady rate per chat, 429 with retry_after
    # beyond it) at four messages a second, so that Ann's backlog is throttled within
    # seconds rather than a minute.
    return dataclasses.replace(FloodLimits(), private_per_second=4.0, private_burst=2)


def offer(n: int) -> str:
    return f"https://detail.1688.com/offer/{FIRST_OFFER + n}.html"


def bot_sends(sandbox: Sandbox, chat_id: int) -> list[int]:
    """Positions, among all the calls the sandbox answered, of the bot's accepted sends to
    `chat_id`: the order in which users saw their answers arrive."""
    return [
        index
        for index, call in enumerate(sandbox.calls)
        if call.method == "sendMessage"
        and call.ok
        and str(call.params.get("chat_id")) == str(chat_id)
    ]


def handed_out(sandbox: Sandbox, update_id: int) -> bool:
    return any(
        update["update_id"] == update_id
        for call in sandbox.calls
        if call.method == "getUpdates" and call.ok
        for update in call.result or []
    )


async def test_a_flooding_user_does_not_hold_back_another_users_help(
    sandbox: Sandbox, handled: HandledUpdates
) -> None:
    flood = [await sandbox.send_text(ANN, offer(n)) for n in range(FLOOD)]
    # The bot has taken Ann's whole backlog from Telegram before Boris writes.
    await sandbox.wait_for(lambda: handed_out(sandbox, flood[-1]["update_id"]), timeout=30)

    help_request = await sandbox.send_text(BORIS, "/help", first_name="Boris")
    await handled.wait(help_request["update_id"])

    assert any(not handled.finished(update["update_id"]) for update in flood), (
        "Boris is answered while Ann's backlog is still being sent"
    )
    for update in flood:
        await handled.wait(update["update_id"])
    # Telegram hands the updates in hand out again on every call; each is taken on once.
    assert all(handled.outcomes[u["update_id"]] == [Outcome.HANDLED] for u in flood)
    await sandbox.wait_until_settled()
    assert bot_sends(sandbox, BORIS)[0] < bot_sends(sandbox, ANN)[-1]
    assert "How I can help" in (sandbox.bot_messages(BORIS)[0].text or "")
    throttled = [
        call
        for call in sandbox.calls
        if call.error_code == 429 and str(call.params.get("chat_id")) == str(ANN)
    ]
    assert throttled, "Ann's chat was flood-limited"
    offers = [
        int(found)
        for message in sandbox.bot_messages(ANN)
        for found in re.findall(r"offer/(\d{12})\.html", message.text or "")
    ]
    assert list(dict.fromkeys(offers)) == [FIRST_OFFER + n for n in range(FLOOD)], (
        "Ann's answers come in the order she wrote"
    )


async def test_a_chat_waiting_out_flood_control_does_not_hold_back_other_chats() -> None:
    limiter = PerChatRateLimiter(max_retries=2)
    sent: list[str] = []
    ann_throttled = asyncio.Event()
    boris_sent = asyncio.Event()

    async def send(chat: str) -> bool:
        if chat == "ann" and not ann_throttled.is_set():
            ann_throttled.set()
            raise RetryAfter(timedelta(seconds=1))
        sent.append(chat)
        if chat == "boris":
            boris_sent.set()
        return True

    async def request(chat_id: int, chat: str) -> object:
        return await limiter.process_request(
            send, (chat,), {}, "sendMessage", {"chat_id": chat_id}, None
        )

    ann = asyncio.create_task(request(ANN, "ann"))
    await ann_throttled.wait()
    boris = asyncio.create_task(request(BORIS, "boris"))
    await boris_sent.wait()

    assert sent == ["boris"], "Boris's message goes out while Ann's chat waits"
    assert await ann is True
    assert await boris is True
    assert sent == ["boris", "ann"]
