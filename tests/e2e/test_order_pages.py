"""An order page pasted into the chat, or sent as a screenshot, with no command: a page
with a running clock is offered for tracking and named by its order number or first
product line; a page of an order already tracked updates it; a status with no running
clock gets the step that fits it (issue 14)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.app import BotApplication
from bot.clock import Clock
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, texts
from tests.e2e.test_orders import orders_of
from tests.vision.screenshots import needs_cjk_font, render_chat_screenshot

SHIPPED_PAGE = """订单详情
订单状态：卖家已发货
还剩5天12小时自动确认收货
不锈钢保温杯 500ml 双层真空
订单号：3456789012345678901
下单时间：2026-11-20 10:15:32
付款时间：2026-11-20 10:16:01
发货时间：2026-11-22 09:00:11"""


def page(status: str, *, number: str = "3456789012345678901", countdown: str = "") -> str:
    lines = ["订单详情", f"订单状态：{status}", countdown, f"订单号：{number}"]
    lines += ["下单时间：2026-11-20 10:15:32", "实付款：￥1280.00"]
    return "\n".join(line for line in lines if line)


def near(actual: datetime | None, expected: datetime) -> bool:
    assert actual is not None
    return abs(actual - expected) < timedelta(minutes=2)


async def test_a_pasted_page_is_offered_and_named_after_its_product(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    offered = texts(await ann.says(SHIPPED_PAGE))

    assert "5d 12h" in offered
    assert "3456789012345678901" in offered
    assert await orders_of(bot, ann.user_id) == []

    asked = texts(await ann.taps("Yes"))
    assert "What should I call this order?" in asked
    await ann.taps("不锈钢保温杯")

    (order,) = await orders_of(bot, ann.user_id)
    assert order.label.startswith("不锈钢保温杯")
    assert order.order_number == "3456789012345678901"
    assert near(order.deadline_at, clock.now() + timedelta(days=5, hours=12))


async def test_the_name_can_still_be_typed(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says(page("卖家已发货", countdown="确认收货还剩：6天3小时"))
    await ann.taps("Yes")
    await ann.says("thermos")

    (order,) = await orders_of(bot, ann.user_id)
    assert order.label == "thermos"


async def test_no_tracks_nothing_and_asks_for_the_time(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says(SHIPPED_PAGE)
    asked = texts(await ann.taps("No"))

    assert await orders_of(bot, ann.user_id) == []
    assert "When" in asked or "when" in asked


async def test_a_page_of_a_tracked_order_updates_it_and_adds_none(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says(SHIPPED_PAGE)
    await ann.taps("Yes")
    await ann.taps("不锈钢保温杯")

    later = page("卖家已发货", countdown="还剩8天2小时")  # the seller extended it
    replies = texts(await ann.says(later))

    (order,) = await orders_of(bot, ann.user_id)
    assert "Updated from the order page" in replies
    assert near(order.deadline_at, clock.now() + timedelta(days=8, hours=2))


async def test_a_refund_on_the_page_pauses_the_tracked_order(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says(SHIPPED_PAGE)
    await ann.taps("Yes")
    await ann.taps("不锈钢保温杯")

    replies = texts(await ann.says(page("退款中")))

    (order,) = await orders_of(bot, ann.user_id)
    assert "paused" in replies
    assert order.state == "refund_requested"


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        ("等待买家付款", "waiting for your payment"),
        ("等待卖家发货", "has not shipped yet"),
        ("退款中", "A refund is open"),
        ("交易成功", "complete"),
        ("交易关闭", "closed"),
    ],
)
async def test_a_page_with_no_running_clock_gets_its_next_step(
    ann: ChatUser, bot: BotApplication, status: str, advice: str
) -> None:
    replies = texts(await ann.says(page(status)))

    assert advice in replies
    assert await orders_of(bot, ann.user_id) == []


async def test_the_order_time_is_never_taken_for_the_deadline(
    ann: ChatUser, bot: BotApplication
) -> None:
    only_order_times = page("卖家已发货").replace(
        "实付款", "付款时间：2026-11-20 10:16:01\n实付款"
    )

    replies = texts(await ann.says(only_order_times))

    assert "2026-11-30" not in replies  # 下单时间 + 10 days is no deadline
    assert await orders_of(bot, ann.user_id) == []


async def test_a_payment_request_quoting_an_order_stays_a_payment_check(ann: ChatUser) -> None:
    scam = page("卖家已发货") + "\n订单异常，请加微信转账到私人账户6222021234567890128重新付款"

    replies = texts(await ann.says(scam))

    assert "High risk" in replies


@needs_cjk_font
async def test_a_screenshot_of_the_page_is_offered_for_tracking(
    ann: ChatUser, sandbox: Sandbox, bot: BotApplication
) -> None:
    screenshot = render_chat_screenshot(SHIPPED_PAGE.splitlines())

    sent = await sandbox.send_photo(ann.user_id, screenshot)
    offered = texts(await ann.replies(sent))

    assert "5d 12h" in offered
    await ann.taps("Yes")
    await ann.taps("不锈钢保温杯")
    (order,) = await orders_of(bot, ann.user_id)
    assert order.order_number == "3456789012345678901"


async def test_someone_elses_page_never_touches_your_order(
    ann: ChatUser, carl: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says(SHIPPED_PAGE)
    await ann.taps("Yes")
    await ann.taps("不锈钢保温杯")

    offered = texts(await carl.says(page("退款中")))

    (order,) = await orders_of(bot, ann.user_id)
    assert order.state == "shipped"
    assert near(order.deadline_at, clock.now() + timedelta(days=5, hours=12))
    assert "A refund is open" in offered
    assert await orders_of(bot, carl.user_id) == []


async def test_boris_gets_the_offer_in_russian(boris: ChatUser, bot: BotApplication) -> None:
    offered = texts(await boris.says(SHIPPED_PAGE))
    assert "Я прочитал страницу заказа" in offered

    await boris.taps("Да")
    await boris.taps("不锈钢保温杯")
    (order,) = await orders_of(bot, boris.user_id)
    assert order.order_number == "3456789012345678901"


async def test_a_page_running_again_after_a_refund_restarts_the_clock(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says(SHIPPED_PAGE)
    await ann.taps("Yes")
    await ann.taps("不锈钢保温杯")
    await ann.says(page("退款中"))

    replies = texts(await ann.says(page("卖家已发货", countdown="还剩4天1小时")))

    (order,) = await orders_of(bot, ann.user_id)
    assert "Updated from the order page" in replies
    assert "paused" not in replies.split("---")[-1].lower()
    assert near(order.deadline_at, clock.now() + timedelta(days=4, hours=1))


async def test_a_completed_page_of_a_tracked_order_says_so_and_keeps_the_card(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says(SHIPPED_PAGE)
    await ann.taps("Yes")
    await ann.taps("不锈钢保温杯")

    replies = await ann.says(page("交易成功"))

    assert "already track this order" in texts(replies)
    assert "complete" in texts(replies)
    assert any("Delete" in button["text"] for button in replies[-1].inline_buttons())
    assert len(await orders_of(bot, ann.user_id)) == 1


async def test_inside_track_a_pasted_page_is_read_by_the_rules(
    ann: ChatUser, bot: BotApplication, clock: Clock
) -> None:
    await ann.says("/track")
    offered = texts(await ann.says(SHIPPED_PAGE))

    assert "5d 12h" in offered
    await ann.taps("Yes")
    await ann.taps("不锈钢保温杯")
    (order,) = await orders_of(bot, ann.user_id)
    assert near(order.deadline_at, clock.now() + timedelta(days=5, hours=12))


async def test_a_page_whose_auto_confirm_time_passed_says_to_act_now(
    ann: ChatUser, bot: BotApplication
) -> None:
    old = page("卖家已发货").replace("实付款", "自动确认收货时间：2026-01-05 18:00:00\n实付款")

    replies = texts(await ann.says(old))

    assert "has passed" in replies
    assert "申请售后" in replies
    assert await orders_of(bot, ann.user_id) == []
