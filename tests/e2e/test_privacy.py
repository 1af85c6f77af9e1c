"""/privacy and /forgetme: the user sees what is kept and can erase all of it."""

from __future__ import annotations

from bot.app import BotApplication
from bot.render.phone_screen import collapsed_spans
from bot.sandbox.state import StoredMessage
from tests.conftest import ChatUser
from tests.e2e.test_frame import stored_user
from tests.one_screen import assert_fits_one_screen


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

    assert "Tokyo" not in welcome[0].text
    assert "Your time zone: UTC" in welcome[0].text
    user = await stored_user(bot, ann.user_id)
    assert user is not None
    assert user.timezone is None


async def test_privacy_explains_what_is_kept(ann: ChatUser) -> None:
    replies = await ann.says("/privacy")

    assert "What I keep" in replies[0].text
    assert any("Erase my data" in button for button in ann.buttons())


def folded(message: StoredMessage) -> tuple[str, str]:
    """The message as first seen, and what waits in its collapsed quotes until tapped."""
    text = message.text or ""
    spans = collapsed_spans(text, message.entities)
    hidden = "\n".join(text[span.start : span.end] for span in spans)
    shown = text
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        shown = shown[: span.start] + shown[span.end :]
    return shown, hidden


async def test_privacy_fits_one_screen_with_the_details_one_tap_away(
    ann: ChatUser, boris: ChatUser
) -> None:
    english = await ann.says("/privacy")
    russian = await boris.says("/privacy")

    shown, details = folded(english[0])
    assert "never see your 1688 or Alipay password" in shown
    assert "Keeping checked messages: off" in shown
    assert "masked in my logs" in details, "the full list is in the collapsed quote"
    assert "Was this right?" in details
    ru_shown, ru_details = folded(russian[0])
    assert "Сохранение проверенных текстов: выключено" in ru_shown
    assert "в моих логах скрыты" in ru_details
    for message in (english[0], russian[0]):
        assert_fits_one_screen(message)


async def test_switching_keep_texts_on_keeps_the_privacy_screen_short(ann: ChatUser) -> None:
    await ann.says("/privacy")
    switched = await ann.taps("Keep checked messages")

    shown, _ = folded(switched[0])
    assert "Keeping checked messages: on" in shown
    assert_fits_one_screen(switched[0])
