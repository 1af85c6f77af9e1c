"""Whatever a user or a modified client sends, the bot answers clearly and keeps working."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import BotApplication
from bot.db.models import User
from bot.runtime import delivery
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, HandledUpdates, texts


@pytest.mark.parametrize(
    "message",
    [
        "   ",
        "x" * 4000,
        "😀🔥🙏" * 300,
        "ｈｅｌｌｏ　全角テキスト！",
        "供应商说 hello 你好 mixed 中文 and English",
        "<b>not markup</b> & <script>",
        "\u202e\u200b\ufeff",
    ],
)
async def test_odd_text_gets_a_friendly_reply(ann: ChatUser, message: str) -> None:
    replies = await ann.says(message)

    assert len(replies) == 1
    assert "not sure what to do" in replies[0].text


async def test_unknown_command_is_named(ann: ChatUser) -> None:
    replies = await ann.says("/frobnicate now")

    assert "/frobnicate" in replies[0].text
    assert "/help" in replies[0].text


@pytest.mark.parametrize(
    "data",
    ["menu|nonsense", "zzz", "tz|Mars/Phobos", "forget|maybe", "lang|xx", "menu", "tz||"],
)
async def test_forged_button_data_is_refused_politely(
    ann: ChatUser, sandbox: Sandbox, data: str
) -> None:
    await ann.says("/menu")

    await ann.taps_forged(data)

    answers = [c for c in sandbox.calls if c.method == "answerCallbackQuery"]
    assert answers, "every button press must be answered"
    assert answers[-1].ok
    errors = [c for c in sandbox.calls if not c.ok and c.method != "getUpdates"]
    assert errors == [], [(c.method, c.description) for c in errors]


async def test_forged_zone_button_does_not_store_it(
    ann: ChatUser, sandbox: Sandbox, bot: BotApplication
) -> None:
    await ann.says("/timezone")
    await ann.taps_forged("tz|zone|Mars/Phobos")

    # A zone no button offers is refused like any forged button, and nothing is stored.
    alert = [c for c in sandbox.calls if c.method == "answerCallbackQuery"][-1]
    assert "no longer" in alert.params.get("text", "")
    async with bot.bot_data.sessions() as session:
        stored = await session.scalar(select(User.timezone).where(User.telegram_id == ann.user_id))
    assert stored is None


async def test_a_broken_photo_outside_any_flow_is_explained(
    ann: ChatUser, sandbox: Sandbox
) -> None:
    sent = await sandbox.send_photo(ann.user_id, b"\x00\x01 not really an image")

    replies = await ann.replies(sent)

    assert "couldn't open that picture" in texts(replies)


async def test_a_failure_while_replying_gets_an_apology(ann: ChatUser, sandbox: Sandbox) -> None:
    await ann.says("/start")
    # Refused for good (a 5xx would be sent again: tests/e2e/test_replies_delivered.py).
    sandbox.inject_fault("sendMessage", 400, description="Bad Request: chat not found")

    replies = await ann.says("/help")

    assert "Sorry, something went wrong" in texts(replies)
    later = await ann.says("/help")
    assert "How I can help" in later[0].text


async def test_admins_hear_about_failures_without_the_users_words(
    ann: ChatUser, sandbox: Sandbox, handled: HandledUpdates, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ADMIN_IDS=42 in settings
    admin = ChatUser(sandbox, user_id=42, first_name="Admin", handled=handled)
    await admin.says("/start")
    # Refused on every attempt: the first and each time it is sent again.
    monkeypatch.setattr(delivery, "REPLY_RETRY_DELAYS_SECONDS", (0.0, 0.0, 0.0))
    sandbox.inject_fault("sendMessage", 500, count=4)

    await ann.says("my card 6222021234567890123")

    notes = await admin.replies()
    assert len(notes) == 1
    assert "NetworkError" in notes[0].text
    assert "6222" not in notes[0].text
