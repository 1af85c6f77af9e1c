"""Setting a time zone: buttons, typing a city or offset, mistakes, leaving midway."""

from __future__ import annotations

from bot.app import BotApplication
from tests.conftest import ChatUser, texts
from tests.e2e.test_frame import stored_user


async def test_typing_a_city_sets_the_zone_and_shows_both_clocks(
    ann: ChatUser, bot: BotApplication
) -> None:
    prompt = await ann.says("/timezone")
    assert "Your time zone is" in prompt[0].text
    assert "Beijing" in ann.buttons()

    replies = await ann.says("berlin")

    assert "Europe/Berlin" in replies[-1].text
    assert "in Beijing" in replies[-1].text
    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.timezone == "Europe/Berlin"


async def test_tapping_a_city_button_sets_the_zone(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/timezone")
    replies = await ann.taps("New York")

    assert "America/New_York" in replies[-1].text
    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.timezone == "America/New_York"


async def test_inline_argument_and_full_width_offset(ann: ChatUser, bot: BotApplication) -> None:
    replies = await ann.says("/timezone ＵＴＣ＋３")

    assert "UTC+03:00" in replies[-1].text
    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.timezone == "Etc/GMT-3"


async def test_an_unknown_place_is_explained_and_the_question_stays_open(ann: ChatUser) -> None:
    await ann.says("/timezone")

    wrong = await ann.says("Atlantis 🐙")
    right = await ann.says("Москва")

    assert "couldn't find a time zone called “Atlantis 🐙”" in wrong[0].text
    assert "Europe/Moscow" in right[-1].text


async def test_cancel_leaves_the_zone_unchanged(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/timezone")
    stopped = await ann.says("/cancel")
    after = await ann.says("Berlin")

    assert "Stopped" in stopped[0].text
    assert "not sure what to do" in after[0].text, "free text after /cancel is not a zone"
    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.timezone is None


async def test_another_command_midway_does_what_it_says_and_ends_the_question(
    ann: ChatUser,
) -> None:
    await ann.says("/timezone")
    help_screen = await ann.says("/help")
    after = await ann.says("Berlin")

    assert "How I can help" in help_screen[0].text
    assert "not sure what to do" in after[0].text


async def test_a_photo_instead_of_a_city_gets_a_hint(ann: ChatUser) -> None:
    await ann.says("/timezone")
    sent = await ann.sandbox.send_photo(ann.user_id, b"\x89PNG\r\n\x1a\n garbage bytes")

    replies = await ann.replies(sent)

    assert "type a city" in texts(replies)


async def test_a_city_with_its_country_is_found(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/timezone")

    replies = await ann.says("lagos nigeria")

    assert "Africa/Lagos" in replies[-1].text
    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.timezone == "Africa/Lagos"


async def test_a_city_with_its_country_after_the_command(ann: ChatUser) -> None:
    replies = await ann.says("/timezone Berlin, Germany")

    assert "Europe/Berlin" in replies[-1].text


async def test_a_russian_city_with_its_country(boris: ChatUser, bot: BotApplication) -> None:
    await boris.says("/timezone")

    replies = await boris.says("москва россия")

    assert "Europe/Moscow" in replies[-1].text
    user = await stored_user(bot, boris.user_id)
    assert user is not None
    assert user.timezone == "Europe/Moscow"
