"""/privacy and /forgetme: the user sees what is kept and can erase all of it."""

from __future__ import annotations

from bot.app import BotApplication
from tests.conftest import ChatUser
from tests.e2e.test_frame import stored_user


async def test_forgetme_erases_the_user_after_confirmation(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("/timezone Berlin")
    assert await stored_user(bot, ann.user_id) is not None

    confirm = await ann.says("/forgetme")
    assert "cannot be undone" in confirm[0].text
    done = await ann.taps("Yes, erase")

    assert "erased everything" in done[0].text
    assert await stored_user(bot, ann.user_id) is None


async def test_forgetme_can_be_declined(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/forgetme")
    kept = await ann.taps("No, keep")

    assert "Nothing was erased" in kept[0].text
    assert await stored_user(bot, ann.user_id) is not None


async def test_after_forgetme_the_bot_starts_from_scratch(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("/timezone Tokyo")
    await ann.says("/forgetme")
    await ann.taps("Yes, erase")

    welcome = await ann.says("/start")

    assert "Asia/Tokyo" not in welcome[0].text
    assert "Your time zone: UTC" in welcome[0].text
    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.timezone is None


async def test_privacy_explains_what_is_kept(ann: ChatUser) -> None:
    replies = await ann.says("/privacy")

    assert "What I keep" in replies[0].text
    assert any("Erase my data" in button for button in ann.buttons())
