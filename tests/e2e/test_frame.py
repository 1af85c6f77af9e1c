"""The bot's frame, as a user meets it: start, menu, help, language, time zone, privacy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import BotApplication
from bot.clock import ShiftedClock
from bot.db.models import User
from bot.sandbox.server import Sandbox
from handlers import COMMANDS
from tests.conftest import ChatUser, HandledUpdates, texts
from tests.one_screen import assert_fits_one_screen


async def stored_user(bot: BotApplication, telegram_id: int) -> User | None:
    async with bot.bot_data.sessions() as session:
        return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def test_start_greets_by_name_and_offers_the_menu(ann: ChatUser) -> None:
    replies = await ann.says("/start")

    assert len(replies) == 1
    assert "Hi Ann" in replies[0].text
    assert "Beijing" in replies[0].text
    assert ann.buttons() == [
        "💳 Is this payment safe?",
        "📦 Track an order",
        "🗂 My orders",
        "🧾 Problem with an order",
        "🏭 Check a supplier",
        "📋 My supplier checks",
        "🛡 Safe setup check",
        "📝 Spec in Chinese",
        "🏷 Copy and brand check",
        "🕒 Time zone",
        "🌐 Language",
        "❓ Help",
        "🔒 Privacy",
    ]


async def test_start_up_publishes_the_command_menu(sandbox: Sandbox, bot: BotApplication) -> None:
    commands = [call for call in sandbox.calls if call.method == "setMyCommands" and call.ok]

    assert commands, "setMyCommands was not called at start-up"
    names = [command["command"] for command in commands[0].params["commands"]]
    assert names[:7] == ["start", "track", "orders", "dispute", "pay", "check", "suppliers"]
    assert "forgetme" in names
    assert "cancel" in names


async def test_first_contact_creates_the_user_row(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/start")

    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.language == "en"
    assert user.last_seen_at.tzinfo is not None


async def test_deep_link_opens_a_screen_and_junk_payload_is_ignored(ann: ChatUser) -> None:
    help_screen = await ann.says("/start help")
    welcome = await ann.says("/start %%%<b>junk</b>")

    assert "How I can help" in help_screen[0].text
    assert "Hi Ann" in welcome[0].text


async def test_help_lists_every_command_on_one_screen_and_more_in_place(ann: ChatUser) -> None:
    await _help_on_one_screen(ann)


async def test_russian_help_lists_every_command_on_one_screen(boris: ChatUser) -> None:
    await _help_on_one_screen(boris)


async def _help_on_one_screen(user: ChatUser) -> None:
    replies = await user.says("/help")

    text = replies[0].text or ""
    for command in COMMANDS:
        assert re.search(rf"/{command}(?![a-z])", text), command
    assert_fits_one_screen(replies[0])
    # The details, the safe habits among them, open in place and go back.
    more = await user.taps(user.buttons()[0])
    assert more[0].message_id == replies[0].message_id
    assert "延长收货" in (more[0].text or "")
    back = await user.taps(user.buttons()[0])
    assert back[0].message_id == replies[0].message_id
    assert back[0].text == text


async def test_menu_buttons_open_screens_in_place(ann: ChatUser) -> None:
    await ann.says("/menu")
    menu_id = ann.sandbox.bot_messages(ann.user_id)[-1].message_id

    replies = await ann.taps("Privacy")

    assert replies[0].message_id == menu_id, "the menu message should be edited in place"
    assert "What I keep" in replies[0].text
    back = await ann.taps("Menu")
    assert "Main menu" in back[0].text


async def test_choosing_a_language_is_remembered(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/language")
    replies = await ann.taps("English")

    assert "I'll answer in English" in replies[0].text
    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.language == "en"


async def test_unknown_telegram_language_falls_back_to_english(
    sandbox: Sandbox, bot: BotApplication, handled: HandledUpdates
) -> None:
    xavier = ChatUser(
        sandbox, user_id=1009, first_name="Xavier", language_code="xx", handled=handled
    )

    replies = await xavier.says("/start")

    assert "Hi Xavier" in replies[0].text


# -- quiet hours, typed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("23-7", "23:00–07:00"),
        ("10pm to 6:30am", "22:00–07:00"),
        ("22:00-07:00", "22:00–07:00"),
        ("11 pm - 7 am", "23:00–07:00"),
    ],
)
async def test_quiet_hours_typed_after_the_prompt(ann: ChatUser, typed: str, shown: str) -> None:
    await ann.says("/quiet")

    replies = await ann.says(typed)

    assert f"Quiet hours: {shown}" in texts(replies)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("10pm to 6:30am", "22:00–07:00"),
        ("22:00-07:00", "22:00–07:00"),
        ("11 pm - 7 am", "23:00–07:00"),
        ("23-7", "23:00–07:00"),
    ],
)
async def test_quiet_hours_typed_with_the_command(ann: ChatUser, typed: str, shown: str) -> None:
    replies = await ann.says(f"/quiet {typed}")

    assert f"Quiet hours: {shown}" in texts(replies)


async def test_a_range_with_minutes_says_it_was_widened(ann: ChatUser) -> None:
    replies = await ann.says("/quiet 10pm to 6:30am")

    assert "widened" in texts(replies)


async def test_russian_quiet_hours_typed_after_the_prompt(boris: ChatUser) -> None:
    await boris.says("/quiet")

    replies = await boris.says("с 23 до 7")

    assert "Тихие часы: 23:00–07:00" in texts(replies)


async def test_a_range_nobody_asked_for_is_not_taken_as_quiet_hours(ann: ChatUser) -> None:
    replies = await ann.says("23-7")

    assert "Quiet hours" not in texts(replies)


async def test_a_range_typed_long_after_the_prompt_is_not_its_answer(
    ann: ChatUser, clock: ShiftedClock
) -> None:
    await ann.says("/quiet")
    clock.jump(timedelta(minutes=20))

    replies = await ann.says("23-7")

    assert "Quiet hours" not in texts(replies)
