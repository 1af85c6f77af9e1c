"""A buyer whose Telegram speaks Russian gets the whole bot in Russian."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import BotApplication
from bot.db.models import User
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, texts

# Chinese, so today's checker flags it: a private card and a discount for paying outside.
PERSONAL_CARD = "老板说付到他私人账户，卡号 6222 0212 3456 7890 128，可以便宜5%"


async def stored_language(bot: BotApplication, telegram_id: int) -> str | None:
    async with bot.bot_data.sessions() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        return user.language if user else None


async def test_start_greets_in_russian_and_offers_the_menu(
    boris: ChatUser, bot: BotApplication
) -> None:
    replies = await boris.says("/start")

    assert len(replies) == 1
    assert "Привет, Boris" in replies[0].text
    assert "пекинское время" in replies[0].text
    assert "延长收货 (продлить срок получения)" in replies[0].text
    assert boris.buttons() == [
        "💳 Безопасен ли платёж?",
        "📦 Отследить заказ",
        "🗂 Мои заказы",
        "🧾 Проблема с заказом",
        "🏭 Проверить поставщика",
        "📋 Мои проверки поставщиков",
        "🛡 Проверка настройки аккаунта",
        "📝 ТЗ на китайском",
        "🏷 Проверка на подделки",
        "🕒 Часовой пояс",
        "🌐 Язык",
        "❓ Помощь",
        "🔒 Конфиденциальность",
    ]
    assert await stored_language(bot, boris.user_id) == "ru"


async def test_start_up_publishes_russian_command_descriptions(
    sandbox: Sandbox, bot: BotApplication
) -> None:
    calls = [
        call
        for call in sandbox.calls
        if call.method == "setMyCommands" and call.ok and call.params.get("language_code") == "ru"
    ]

    assert calls, "no Russian command menu was published"
    descriptions = {c["command"]: c["description"] for c in calls[0].params["commands"]}
    assert descriptions["start"] == "Начало и главное меню"
    assert descriptions["track"] == "Следить за сроком эскроу заказа"


async def test_help_is_russian_and_keeps_commands_and_chinese_terms(boris: ChatUser) -> None:
    replies = await boris.says("/help")

    text = replies[0].text
    assert "Чем я могу помочь" in text
    for command in ("/track", "/pay", "/timezone", "/language", "/privacy", "/forgetme"):
        assert command in text
    # The examples and the safe habits are one tap away (issue 17: one screen).
    details = (await boris.taps("Подробнее"))[0].text
    assert "/track 还剩6天23小时 mugs" in details
    assert "确认收货 (подтвердить получение)" in details


async def test_menu_buttons_open_russian_screens_in_place(boris: ChatUser) -> None:
    await boris.says("/menu")
    menu_id = boris.sandbox.bot_messages(boris.user_id)[-1].message_id

    privacy = await boris.taps("Конфиденциальность")

    assert privacy[0].message_id == menu_id, "the menu message should be edited in place"
    assert "Что я храню и зачем" in privacy[0].text
    back = await boris.taps("Меню")
    assert "Главное меню" in back[0].text
    help_screen = await boris.taps("Помощь")
    assert "Чем я могу помочь" in help_screen[0].text


async def test_switching_to_english_and_back(boris: ChatUser, bot: BotApplication) -> None:
    prompt = await boris.says("/language")
    assert "На каком языке мне отвечать?" in prompt[0].text
    assert "✅ Русский" in boris.buttons()
    assert "English" in boris.buttons()

    english = await boris.taps("English")
    assert "I'll answer in English" in english[0].text
    assert await stored_language(bot, boris.user_id) == "en"
    greeting = await boris.says("/start")
    assert "Hi Boris" in greeting[0].text, "the choice beats Telegram's language"

    await boris.says("/language")
    russian = await boris.taps("Русский")
    assert "Теперь отвечаю на языке: Русский" in russian[0].text
    assert await stored_language(bot, boris.user_id) == "ru"
    greeting = await boris.says("/start")
    assert "Привет, Boris" in greeting[0].text


async def test_tracking_an_order_shows_a_russian_card(boris: ChatUser) -> None:
    replies = await boris.says("/track 6d 23h test")

    card = texts(replies)
    assert "test" in card
    assert "Автоподтверждение (自动确认收货)" in card
    assert "Пекин" in card
    assert "Осталось" in card
    assert "Beijing" not in card
    assert any("延长收货" in label for label in boris.buttons())


async def test_high_risk_badge_is_russian(boris: ChatUser) -> None:
    replies = await boris.says(f"/pay {PERSONAL_CARD}")

    verdict = replies[-1].text
    assert "Высокий риск" in verdict
    assert "私人账户" in verdict
    assert "Ваш ответ поставщику" in verdict
    assert "6222 0212 3456 7890 128" not in verdict, "card numbers are masked"


async def test_a_russian_request_to_pay_a_personal_card_is_high_risk(boris: ChatUser) -> None:
    replies = await boris.says("/pay переведите на мою личную карту Сбербанка")

    assert "Высокий риск" in replies[-1].text
