"""A reply reaches the user once, whatever Telegram does on the way: a refused send is sent
again, and a slow one is waited out, with no apology next to it."""

from __future__ import annotations

import pytest

from bot.render.i18n import translate
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser

HELP_TITLE = "How I can help"
APOLOGY = translate("en", "error_apology")


def received(sandbox: Sandbox, user_id: int, needle: str) -> int:
    return sum(needle in (m.text or "") for m in sandbox.bot_messages(user_id))


@pytest.mark.parametrize("status", [500, 502])
async def test_a_reply_telegram_refuses_arrives_once_after_a_retry(
    ann: ChatUser, sandbox: Sandbox, status: int
) -> None:
    sandbox.inject_fault("sendMessage", status)

    await ann.says("/help")

    assert received(sandbox, ann.user_id, HELP_TITLE) == 1
    assert received(sandbox, ann.user_id, APOLOGY) == 0
    refused = [c for c in sandbox.calls if c.method == "sendMessage" and c.error_code == status]
    assert len(refused) == 1


async def test_a_slow_reply_arrives_without_an_apology(ann: ChatUser, sandbox: Sandbox) -> None:
    # Telegram takes longer than the bot waits for an answer (5 s), and delivers all the same.
    sandbox.inject_fault("sendMessage", 200, delay=6.0)

    await ann.says("/help")

    assert received(sandbox, ann.user_id, HELP_TITLE) == 1
    assert received(sandbox, ann.user_id, APOLOGY) == 0
    assert len(sandbox.bot_messages(ann.user_id)) == 1
