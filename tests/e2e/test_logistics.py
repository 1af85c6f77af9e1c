"""A logistics trace in the chat (issue 15): /warehouse says where the goods should arrive;
a pasted trace (or its screenshot) is checked against it, each flag with the trace line
that shows it and the next step; a signing is recorded on the tracked order it belongs
to (matched by tracking number, or chosen with a button) and the deadline re-planned."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from bot.app import BotApplication
from bot.clock import Clock
from bot.domain.timezones import BEIJING
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, texts
from tests.e2e.test_orders import orders_of
from tests.vision.screenshots import needs_cjk_font, render_chat_screenshot


def zto_trace(
    now: datetime, *, city: str = "广州", signer: str = "本人", hours_ago: int = 20
) -> str:
    """A 中通 trace, newest first, signed `hours_ago` before `now` in `city`."""

    def at(hours: int) -> str:
        return (now - timedelta(hours=hours)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")

    return "\n".join(
        [
            "中通快递 运单号：75123456789012",
            at(hours_ago),
            f"【{city}市】 快件已在 【{city}石井】 签收, 签收人: {signer}, 您的快递已经妥投。",
            at(hours_ago + 4),
            f"【{city}市】 【{city}石井】 的 李四 正在第1次派件",
            at(hours_ago + 18),
            f"【{city}市】 快件已经到达 【{city}中心】",
            at(hours_ago + 30),
            f"【义乌市】 快件离开 【义乌】 已发往 【{city}中心】",
            at(hours_ago + 36),
            "【义乌市】 【义乌六部】 的 王师傅 已揽收",
        ]
    )


async def test_the_warehouse_is_one_tap_and_keeps_only_four_digits(
    ann: ChatUser, bot: BotApplication
) -> None:
    asked = texts(await ann.says("/warehouse"))
    assert "warehouse" in asked

    await ann.taps("广州 白云")
    saved = texts(await ann.says("+86 138-0013-8000"))

    assert "广州 白云" in saved
    assert "…8000" in saved
    warehouse = await bot.bot_data.users.warehouse(ann.user_id)
    assert warehouse is not None
    assert (warehouse.city, warehouse.district, warehouse.phone4) == ("广州", "白云", "8000")


async def test_a_typed_warehouse_in_pinyin_is_read(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/warehouse Yiwu")
    await ann.taps("Skip")

    warehouse = await bot.bot_data.users.warehouse(ann.user_id)
    assert warehouse is not None
    assert warehouse.city == "义乌"
    assert warehouse.phone4 is None


async def test_a_clean_delivery_to_the_warehouse_raises_nothing(
    ann: ChatUser, clock: Clock
) -> None:
    await ann.says("/warehouse 广州")
    await ann.taps("Skip")

    replies = texts(await ann.says(zto_trace(clock.now())))

    assert "Nothing suspicious" in replies
    assert "doesn't add up" not in replies


async def test_a_parcel_signed_in_another_city_is_flagged_with_its_line(
    ann: ChatUser, clock: Clock
) -> None:
    await ann.says("/warehouse 广州")
    await ann.taps("Skip")

    replies = texts(await ann.says(zto_trace(clock.now(), city="杭州", signer="门卫")))

    assert "another city" in replies
    assert "someone else" in replies
    assert "杭州" in replies
    assert "Don't confirm receipt" in replies
    (messages,) = await ann.taps("Messages for the seller")
    assert "To the seller" in texts([messages])
    assert "75123456789012" in texts([messages])
    rows = (messages.reply_markup or {}).get("inline_keyboard") or []
    copied = [button["copy_text"]["text"] for row in rows for button in row]
    assert len(copied) == 2, "each Chinese text has its own copy button"
    assert all(text in (messages.text or "") for text in copied)


async def test_without_a_warehouse_it_is_one_tap_away(ann: ChatUser, clock: Clock) -> None:
    replies = texts(await ann.says(zto_trace(clock.now())))
    assert "Tell me your warehouse" in replies

    asked = texts(await ann.taps("Set my warehouse"))

    assert "Where is your forwarder" in asked


async def test_a_signed_trace_records_the_signing_on_the_chosen_order(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    shipped = (clock.now() - timedelta(days=9)).astimezone(BEIJING)
    await ann.says(f"/track shipped {shipped:%Y-%m-%d %H:%M} towels")

    pasted_at = clock.now()
    asked = texts(await ann.says(zto_trace(pasted_at, hours_ago=2)))
    assert "Which tracked order" in asked
    recorded = texts(await ann.taps("towels"))

    (order,) = await orders_of(bot, ann.user_id)
    signed = (pasted_at - timedelta(hours=2)).replace(microsecond=0)
    assert order.tracking_no == "75123456789012"
    assert order.signed_at is not None
    assert abs(order.signed_at - signed) <= timedelta(seconds=1)
    # The 2023 rule: signed + 48 h is later than shipped + 10 days here, so it wins.
    assert order.deadline_at is not None
    assert abs(order.deadline_at - (signed + timedelta(hours=48))) <= timedelta(seconds=1)
    assert "signing recorded" in recorded

    # The next trace of that parcel finds the order by its tracking number.
    again = texts(await ann.says(zto_trace(clock.now(), hours_ago=2)))
    assert "Which tracked order" not in again
    assert "towels" in again


async def test_someone_elses_order_cannot_be_chosen(
    ann: ChatUser, carl: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await carl.says("/track 5d carls-order")
    (carls,) = await orders_of(bot, carl.user_id)
    await ann.says("/track 5d mine")
    await ann.says(zto_trace(clock.now(), hours_ago=2))

    await ann.taps_forged(f"trace|order|o{carls.id}")

    (after,) = await orders_of(bot, carl.user_id)
    assert after.signed_at is None
    assert after.tracking_no is None


@needs_cjk_font
async def test_a_screenshot_of_a_trace_is_checked(
    ann: ChatUser, sandbox: Sandbox, clock: Clock
) -> None:
    await ann.says("/warehouse 广州")
    await ann.taps("Skip")
    screenshot = render_chat_screenshot(zto_trace(clock.now(), city="杭州").splitlines())

    sent = await sandbox.send_photo(ann.user_id, screenshot)
    replies = texts(await ann.replies(sent))

    assert "another city" in replies


async def test_the_dispute_case_cites_what_the_trace_showed(ann: ChatUser, clock: Clock) -> None:
    await ann.says("/warehouse 广州")
    await ann.taps("Skip")
    await ann.says("/track 5d lamps")
    await ann.says(zto_trace(clock.now(), city="杭州", signer="门卫", hours_ago=2))
    await ann.taps("lamps")

    await ann.says("/dispute")
    await ann.taps("lamps")
    for _ in range(4):
        await ann.taps("Skip")
    summary = texts(await ann.taps("Skip"))

    assert "签收城市与收货仓库不符" in summary
    assert "包裹被他人代签" in summary


async def test_a_trace_with_the_order_number_finds_its_order(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says("订单号：3456789012345678901\n卖家已发货\n还剩6天2小时自动确认收货")
    await ann.taps("Yes")
    await ann.says("vases")

    replies = texts(
        await ann.says("订单号：3456789012345678901\n" + zto_trace(clock.now(), hours_ago=2))
    )

    assert "Which tracked order" not in replies
    assert "vases" in replies
    (order,) = await orders_of(bot, ann.user_id)
    assert order.tracking_no == "75123456789012"
    assert order.signed_at is not None


def phone_lines(text: str, button_rows: int) -> int:
    """Lines on a phone 38 columns wide (a CJK character takes two), plus a line a row of
    buttons."""
    lines = 0
    for line in re.sub(r"<[^>]+>", "", text).split("\n"):
        width = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
        lines += max(1, -(-width // 38))
    return lines + button_rows


async def test_a_flagged_trace_fits_one_phone_screen(ann: ChatUser, clock: Clock) -> None:
    await ann.says("/warehouse 广州")
    await ann.taps("Skip")

    (answer,) = await ann.says(zto_trace(clock.now(), city="杭州", signer="门卫"))

    assert "another city" in (answer.text or "")
    assert phone_lines(answer.text or "", len(answer.inline_buttons())) <= 20
