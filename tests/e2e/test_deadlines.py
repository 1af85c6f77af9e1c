"""A deadline the buyer can trust: never later than the truth by a mistake of ours, guesses
said out loud, extensions confirmed and undoable, a paused clock shown as paused, and a
late button press applied exactly once (issue 14)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import BotApplication
from bot.clock import Clock
from bot.domain.timezones import BEIJING
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, texts
from tests.e2e.test_orders import orders_of, reminders_of

MOMENTS = [
    datetime(2026, 12, 8, 3, 6, tzinfo=UTC),  # 11:06 in Beijing
    datetime(2026, 12, 8, 15, 40, tzinfo=UTC),  # 23:40 in Beijing
    datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # already 2027 in Beijing
]
AT_SEVERAL_HOURS = pytest.mark.parametrize(
    "start_moment", MOMENTS, ids=["03:06", "15:40", "new-years-eve"]
)


@pytest.fixture
def flood_limits() -> FloodLimits:
    # People tap a button every few seconds; the tests tap at once.
    return FloodLimits(private_per_second=20, private_burst=20)


# -- editing a deadline ------------------------------------------------------------------


async def test_editing_with_a_countdown_changes_that_order_and_makes_no_other(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says("/track 还剩6天 mugs")
    await ann.taps("Edit")

    card = texts(await ann.says("还剩3天5小时"))

    (order,) = await orders_of(bot, ann.user_id)
    assert order.label == "mugs"
    assert order.deadline_at is not None
    assert abs(order.deadline_at - (clock.now() + timedelta(days=3, hours=5))) < timedelta(
        minutes=1
    )
    assert "3d 5h" in card


# -- honest precision ----------------------------------------------------------------------


async def test_the_time_left_shown_is_what_was_typed(ann: ChatUser) -> None:
    card = texts(await ann.says("/track 还剩6天23小时 lamps"))

    assert "6d 23h" in card


@pytest.mark.parametrize("typed", ["-5h", "还剩-2天", "-1d 3h"])
async def test_a_negative_countdown_is_refused(
    ann: ChatUser, bot: BotApplication, typed: str
) -> None:
    replies = texts(await ann.says(f"/track {typed} cups"))

    assert "already passed" in replies
    assert await orders_of(bot, ann.user_id) == []


@AT_SEVERAL_HOURS
async def test_a_deadline_in_the_past_is_refused_naming_it(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    past = (clock.now() - timedelta(days=2)).astimezone(BEIJING)

    replies = texts(await ann.says(f"/track {past:%Y-%m-%d} 10:00 cups"))

    assert "already passed" in replies
    assert f"{past.day} " in replies, "the past date is named"
    assert await orders_of(bot, ann.user_id) == []


@AT_SEVERAL_HOURS
async def test_shipped_today_plans_from_the_start_of_the_day_and_says_so(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says("/track")
    await ann.taps("Shipped today")
    card = texts(await ann.taps("Skip"))

    (order,) = await orders_of(bot, ann.user_id)
    beijing_day = clock.now().astimezone(BEIJING).date()
    midnight = datetime(beijing_day.year, beijing_day.month, beijing_day.day, tzinfo=BEIJING)
    assert order.shipped_at == midnight, "the earliest plausible moment"
    assert order.deadline_at == midnight + timedelta(days=10)
    assert "assumed" in card
    assert any("Set the ship time" in label for label in ann.buttons())


async def test_a_guessed_ship_time_can_be_set(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says("/track")
    await ann.taps("Shipped yesterday")
    await ann.taps("Skip")

    await ann.taps("Set the ship time")
    card = texts(await ann.says("14:30"))

    (order,) = await orders_of(bot, ann.user_id)
    yesterday = (clock.now().astimezone(BEIJING) - timedelta(days=1)).date()
    assert order.shipped_at == datetime(
        yesterday.year, yesterday.month, yesterday.day, 14, 30, tzinfo=BEIJING
    )
    assert "assumed" not in card


# -- extensions ----------------------------------------------------------------------------


async def test_an_extension_is_confirmed_first_and_can_be_undone(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("/track 6d 23h lamps")
    (before,) = await orders_of(bot, ann.user_id)
    assert before.deadline_at is not None

    asked = texts(await ann.taps("+3d"))
    assert "Did you click 延长收货" in asked
    (unchanged,) = await orders_of(bot, ann.user_id)
    assert unchanged.deadline_at == before.deadline_at, "nothing before Yes"

    await ann.taps("Cancel")
    (still,) = await orders_of(bot, ann.user_id)
    assert still.deadline_at == before.deadline_at

    await ann.taps("+3d")
    await ann.taps("Yes")
    (extended,) = await orders_of(bot, ann.user_id)
    assert extended.deadline_at == before.deadline_at + timedelta(days=3)

    await ann.taps("Undo")
    (undone,) = await orders_of(bot, ann.user_id)
    assert undone.deadline_at == before.deadline_at
    stages = await reminders_of(bot, undone.id)
    assert stages[-1].due_at == before.deadline_at - timedelta(hours=1)


async def test_a_double_tap_on_yes_extends_once(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track 6d 23h lamps")
    (before,) = await orders_of(bot, ann.user_id)
    assert before.deadline_at is not None
    await ann.taps("+3d")
    question = ann.sandbox.bot_messages(ann.user_id)[-1]
    (yes,) = [b for b in question.inline_buttons() if "Yes" in b["text"]]

    await ann.taps("Yes")
    # The same press again, as a double tap or a late copy delivers it.
    replies = texts(await ann.taps_forged(yes["callback_data"]))

    assert "Sorry" not in replies
    (after,) = await orders_of(bot, ann.user_id)
    assert after.deadline_at == before.deadline_at + timedelta(days=3)


async def test_a_second_extension_within_a_minute_is_questioned(ann: ChatUser) -> None:
    await ann.says("/track 6d 23h lamps")
    await ann.taps("+3d")
    await ann.taps("Yes")

    again = texts(await ann.taps("+3d"))

    assert "a moment ago" in again


# -- a paused clock ------------------------------------------------------------------------


async def _refund_requested(ann: ChatUser) -> None:
    await ann.says("/track 5d bags")
    await ann.taps("Problem")
    await ann.taps("Items missing")
    await ann.taps("I clicked 申请退款")


async def test_a_paused_order_shows_paused_in_the_list(ann: ChatUser) -> None:
    await _refund_requested(ann)

    await ann.says("/orders")

    assert any("paused" in label for label in ann.buttons())


async def test_a_closed_refund_lets_the_clock_run_again(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await _refund_requested(ann)
    await ann.says("/orders")
    await ann.taps("bags")

    await ann.taps("Refund closed")
    card = texts(await ann.says("还剩2天3小时"))

    (order,) = await orders_of(bot, ann.user_id)
    assert order.pause_started_at is None
    assert order.deadline_at is not None
    assert abs(order.deadline_at - (clock.now() + timedelta(days=2, hours=3))) < timedelta(
        minutes=1
    )
    assert "2d 3h" in card
    assert await reminders_of(bot, order.id), "reminders are back"


async def test_cancel_after_the_refund_tells_the_truth(ann: ChatUser) -> None:
    await _refund_requested(ann)

    replies = texts(await ann.says("/cancel"))

    assert "Nothing was changed" not in replies
    assert "paused" in replies


# -- the order page's own wording ------------------------------------------------------------


@AT_SEVERAL_HOURS
async def test_the_pages_auto_confirm_time_sent_alone_is_tracked_once_named(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    deadline = (clock.now() + timedelta(days=8)).astimezone(BEIJING).replace(second=0)

    asked = texts(await ann.says(f"自动确认收货时间：{deadline:%Y-%m-%d %H:%M}:00"))
    assert "What should I call this order?" in asked
    await ann.says("rugs")

    (order,) = await orders_of(bot, ann.user_id)
    assert order.label == "rugs"
    assert order.deadline_at == deadline.replace(microsecond=0)


@AT_SEVERAL_HOURS
async def test_track_reads_auto_confirm_on_a_chinese_date_in_beijing_time(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    deadline = (clock.now() + timedelta(days=8)).astimezone(BEIJING).replace(second=0)
    when = f"{deadline.month}月{deadline.day}日 {deadline:%H:%M}"

    await ann.says(f"/track auto confirm on {when} 北京时间 phone cases")

    (order,) = await orders_of(bot, ann.user_id)
    assert order.label == "phone cases"
    assert order.deadline_at == deadline.replace(microsecond=0)


# -- names ---------------------------------------------------------------------------------


async def test_a_pasted_countdown_asks_for_a_name_instead_of_using_page_words(
    ann: ChatUser, bot: BotApplication
) -> None:
    asked = texts(await ann.says("还剩 5天12小时 自动确认收货"))

    assert "What should I call this order?" in asked
    await ann.says("teapots")
    (order,) = await orders_of(bot, ann.user_id)
    assert order.label == "teapots"


# -- a late press ----------------------------------------------------------------------------


class TestALatePress:
    """Telegram refuses to answer a press older than about 15 seconds (after a restart or a
    backlog); the press must still count once, and the user must not be told to try again."""

    @pytest.fixture
    async def sandbox(self, flood_limits: FloodLimits, clock: Clock) -> AsyncIterator[Sandbox]:
        async with Sandbox(flood=flood_limits, clock=clock, callback_query_ttl=0.0) as server:
            yield server

    async def test_is_applied_once_without_an_apology(
        self, ann: ChatUser, bot: BotApplication
    ) -> None:
        await ann.says("/track 6d 23h lamps")
        (before,) = await orders_of(bot, ann.user_id)
        assert before.deadline_at is not None

        await ann.taps("+3d")
        replies = texts(await ann.taps("Yes"))

        assert "Sorry" not in replies
        (after,) = await orders_of(bot, ann.user_id)
        assert after.deadline_at == before.deadline_at + timedelta(days=3)
