"""/stats: the operator sees what users did; for anyone else the command does not exist."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.context import BotApplication
from bot.db.models import Reminder, ReminderStatus
from bot.render.i18n import translate
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from handlers import bot_commands
from tests.conftest import ChatUser, HandledUpdates, texts

ADMIN_ID = 42  # tests/conftest.py sets ADMIN_IDS to this
OFFER_LINK = "https://detail.1688.com/offer/653487692354.html"
PERSONAL_CARD = "老板说付到他私人账户，卡号 6222 0212 3456 7890 128，可以便宜5%"
CHECKOUT = "请直接在1688上拍下付款，我改价后您再支付，平台担保交易"
STATS_TITLE = "in numbers"


@pytest.fixture
def flood_limits() -> FloodLimits:
    # The users below tap through a supplier check faster than a person would.
    return FloodLimits(private_per_second=20, private_burst=20)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # One reminder 3 s before a 6 s deadline, so a real one is sent during the test.
    return settings.model_copy(
        update={"reminder_offsets": [timedelta(seconds=3)], "reminder_sweep_seconds": 1.0}
    )


@pytest.fixture
def admin(sandbox: Sandbox, handled: HandledUpdates) -> ChatUser:
    return ChatUser(sandbox, user_id=ADMIN_ID, first_name="Olga", handled=handled)


async def wait_for_a_sent_reminder(user: ChatUser, bot: BotApplication) -> None:
    await user.receives("⏰")
    # Marked sent once Telegram has answered; the engine says so only in the database.
    async with asyncio.timeout(15):
        while True:
            async with bot.bot_data.sessions() as session:
                if await session.scalar(
                    select(Reminder.id).where(Reminder.status == ReminderStatus.SENT)
                ):
                    return
            await asyncio.sleep(0.02)


async def test_the_admin_sees_what_other_users_did(
    admin: ChatUser, ann: ChatUser, carl: ChatUser, bot: BotApplication
) -> None:
    await ann.says(f"/pay {PERSONAL_CARD}")
    await carl.says(f"/pay {CHECKOUT}")
    await ann.says(f"/pay {PERSONAL_CARD}")
    await carl.says("/check " + OFFER_LINK)
    replies = await carl.taps("Check this supplier")
    while "Overall" not in texts(replies):
        replies = await carl.taps("Don't know")
    await ann.says("/track 6s mugs")
    await wait_for_a_sent_reminder(ann, bot)

    figures = texts(await admin.says("/stats"))

    assert STATS_TITLE in figures
    assert "3 in total, 3 active in the last 7 days, 0 have blocked the bot" in figures
    assert "Payment checks: 3" in figures
    assert "approved 1 · ⚠️ conditional 0 · 🛑 high risk 2 · ❔ unclear 0" in figures
    assert "Supplier checks saved: 1" in figures
    assert "Orders tracked: 1, 1 still open" in figures
    assert "Reminders: 1 sent, 0 failed, 0 in doubt" in figures
    assert "in time): 0" in figures


async def test_a_non_admin_gets_the_unknown_command_answer(
    ann: ChatUser, carl: ChatUser, sandbox: Sandbox
) -> None:
    await ann.says("/track 5d mugs")  # something to count, were anything counted

    replies = await carl.says("/stats")
    unknown = await carl.says("/statz")

    assert [m.text for m in replies] == [translate("en", "unknown_command", command="/stats")]
    assert [m.text for m in unknown] == [translate("en", "unknown_command", command="/statz")]
    assert STATS_TITLE not in texts(replies)


async def test_a_non_admin_mid_flow_gets_what_any_unknown_command_gets(
    ann: ChatUser, carl: ChatUser
) -> None:
    await ann.says("/track")
    await carl.says("/track")

    stats = await ann.says("/stats")
    other = await carl.says("/statz")

    assert [m.text for m in stats] == [(m.text or "").replace("/statz", "/stats") for m in other]
    assert STATS_TITLE not in texts(stats)


async def test_the_admin_mid_flow_gets_the_figures_and_keeps_the_flow(admin: ChatUser) -> None:
    await admin.says("/track")

    figures = await admin.says("/stats")
    answer = await admin.says("2h30m lamps")

    assert STATS_TITLE in texts(figures)
    assert "lamps" in texts(answer), "the /track question was still waiting"


def test_stats_is_not_in_the_command_menu() -> None:
    for language in ("en", "ru"):
        assert "stats" not in [command.command for command in bot_commands(language)]
