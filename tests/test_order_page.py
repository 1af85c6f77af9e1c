"""The order page reader (bot.domain.escrow.order_page): pure, no I/O beyond the corpus file.

The corpus (tests/data/order_pages/pages.jsonl, see its README) was labelled before the
reader existed. Every "tune" page must read right; of the "held_out" pages at least 95 %
must, and none may give a deadline later than the truth: a deadline may err early, never
late.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.escrow.order_page import (
    OrderPage,
    OrderStatus,
    looks_like_order_page,
    page_to_json,
    read_order_page,
)

CORPUS = Path(__file__).parent / "data" / "order_pages" / "pages.jsonl"
TOLERANCE = timedelta(minutes=1)
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    id: str
    split: str
    text: str
    now: datetime
    expected: dict[str, Any]


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_cases() -> list[Case]:
    cases = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        cases.append(
            Case(item["id"], item["split"], item["text"], instant(item["now"]), item["expected"])
        )
    return cases


CASES = load_cases()
TUNE = [case for case in CASES if case.split == "tune"]
HELD_OUT = [case for case in CASES if case.split == "held_out"]


def misreading(case: Case) -> str | None:
    """Why the reader got the case wrong, or None when it read it within tolerance."""
    got = page_to_json(read_order_page(case.text, case.now))
    expected = case.expected
    if got["status"] != expected["status"]:
        return f"status {got['status']} != {expected['status']}"
    if got["order_no"] != expected["order_no"]:
        return f"order_no {got['order_no']} != {expected['order_no']}"
    if expected["deadline_at"] is None or got["deadline_at"] is None:
        if got["deadline_at"] != expected["deadline_at"]:
            return f"deadline {got['deadline_at']} != {expected['deadline_at']}"
        return None
    assert isinstance(got["deadline_at"], str)
    off = instant(got["deadline_at"]) - instant(expected["deadline_at"])
    if off > timedelta(0):
        return f"deadline {off} LATE"
    if -off > TOLERANCE:
        return f"deadline {-off} early"
    return None


def late(case: Case) -> bool:
    got = read_order_page(case.text, case.now).deadline_at
    truth = case.expected["deadline_at"]
    return got is not None and truth is not None and got > instant(truth)


def test_the_corpus_is_big_and_covers_every_status() -> None:
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.split for case in CASES} == {"tune", "held_out"}
    assert {case.expected["status"] for case in CASES} == {status.value for status in OrderStatus}


@pytest.mark.parametrize("case", TUNE, ids=[case.id for case in TUNE])
def test_every_tune_page_reads_right(case: Case) -> None:
    assert misreading(case) is None


def test_held_out_pages_score_at_least_95_percent_and_none_is_late() -> None:
    wrong = {case.id: why for case in HELD_OUT if (why := misreading(case)) is not None}
    score = 1 - len(wrong) / len(HELD_OUT)
    assert score >= 0.95, wrong
    assert not [case.id for case in HELD_OUT if late(case)]


def test_json_is_exactly_the_cli_object() -> None:
    text = "卖家已发货\n还剩1天2小时3分自动确认收货\n订单编号：3482915567012345678"
    page = read_order_page(text, NOW)

    assert page_to_json(page) == {
        "deadline_at": "2026-12-08T04:03:00Z",
        "order_no": "3482915567012345678",
        "status": "shipped",
        "basis": "countdown",
    }


def test_a_countdown_wins_over_every_date_and_orders_and_payments_never_count() -> None:
    page = read_order_page(
        "卖家已发货\n还剩2天自动确认收货\n下单时间：2026-12-01 10:00:00\n"
        "付款时间：2026-12-01 10:05:00\n发货时间：2026-12-02 10:00:00\n"
        "自动确认收货时间：2026-12-12 10:00:00",
        NOW,
    )

    assert page.deadline_at == NOW + timedelta(days=2)
    assert page.countdown == timedelta(days=2)
    assert page.auto_confirm_at == datetime(2026, 12, 12, 2, tzinfo=UTC)
    assert page.shipped_at == datetime(2026, 12, 2, 2, tzinfo=UTC)
    assert not page.estimated


def test_order_and_payment_times_alone_give_no_deadline() -> None:
    page = read_order_page(
        "卖家已发货\n订单号：2876543210987654321\n下单时间：2026-12-01 10:00:00\n"
        "付款时间：2026-12-01 10:05:00",
        NOW,
    )

    assert page.status is OrderStatus.SHIPPED
    assert page.deadline_at is None
    assert page.basis == "no_deadline_found"


def test_shipped_only_is_an_estimate_and_counts_extensions() -> None:
    page = read_order_page("卖家已发货\n已延长收货3天\n发货时间：2026-12-01 08:00:00", NOW)

    assert page.basis == "shipped_plus_10d_estimate"
    assert page.estimated
    assert page.extension_days == 3
    assert page.deadline_at == datetime(2026, 12, 14, 0, tzinfo=UTC)


def test_a_date_without_a_time_is_the_first_minute_of_that_beijing_day() -> None:
    page = read_order_page("卖家已发货\n自动确认收货时间：2026-12-20", NOW)

    assert page.deadline_at == datetime(2026, 12, 19, 16, tzinfo=UTC)
    assert page.estimated


def test_january_read_in_late_december_is_next_year() -> None:
    now = datetime(2026, 12, 30, 10, tzinfo=UTC)
    page = read_order_page("卖家已发货\n将于1月2日 18:00前自动确认收货", now)

    assert page.deadline_at == datetime(2027, 1, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("words", "status"),
    [
        ("等待买家付款", "unpaid"),
        ("待付款", "unpaid"),
        ("等待卖家发货", "paid_unshipped"),
        ("待发货", "paid_unshipped"),
        ("买家已付款", "paid_unshipped"),
        ("卖家已发货", "shipped"),
        ("等待买家确认收货", "shipped"),
        ("待收货", "shipped"),
        ("已发货", "shipped"),
        ("已签收", "signed"),
        ("退款中", "refunding"),
        ("退款申请中", "refunding"),
        ("售后中", "refunding"),
        ("交易成功", "completed"),
        ("已确认收货", "completed"),
        ("已完成", "completed"),
        ("交易关闭", "closed"),
        ("已关闭", "closed"),
        ("已取消", "closed"),
    ],
)
def test_status_words(words: str, status: str) -> None:
    page = read_order_page(f"{words}\n订单编号：3482915567012345678", NOW)

    assert page.status == status


STOPPED = ["等待买家付款", "等待卖家发货", "退款中", "交易成功", "交易关闭"]


@pytest.mark.parametrize("words", STOPPED)
def test_stopped_clocks_give_no_deadline_even_with_a_countdown(words: str) -> None:
    page = read_order_page(f"{words}\n还剩1天2小时", NOW)

    assert page.deadline_at is None
    assert page.basis == "no_running_clock"


def test_a_closed_or_withdrawn_refund_is_not_refunding() -> None:
    for refund in ("退款关闭", "退款已撤销", "您已撤销退款申请"):
        page = read_order_page(f"卖家已发货\n还剩3天自动确认收货\n{refund}", NOW)
        assert page.status is OrderStatus.SHIPPED, refund
        assert page.deadline_at == NOW + timedelta(days=3)


def test_ocr_slips_and_full_width_digits() -> None:
    text = "卖家己发货\n还剩 l 夭 O5 小时 3O 分自动确认收货\n订单号：３５OO１２"
    page = read_order_page(text, NOW)

    assert page.status is OrderStatus.SHIPPED
    assert page.deadline_at == NOW + timedelta(days=1, hours=5, minutes=30)
    assert page.order_no == "350012"


def test_product_title_is_offered_as_a_name() -> None:
    page = read_order_page(
        "卖家已发货\n还剩9天自动确认收货\n义乌市好运来日用品有限公司 >\n"
        "加厚不锈钢保温杯 500ml 商务礼品杯\n实付款 ¥2,580.00\n订单编号：3482915567012345678",
        NOW,
    )

    assert page.product == "加厚不锈钢保温杯 500ml 商务礼品杯"
    assert isinstance(page, OrderPage)
    assert any("还剩9天" in snippet for snippet in page.evidence)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("还剩3天", False),
        ("还剩3天12小时 mugs", False),
        ("hello, when will you ship?", False),
        ("", False),
        ("订单编号：3482915567012345678", True),
        ("订单号 2876 5432 1098 7654 321", True),
        ("卖家已发货 还剩3天自动确认收货", True),
        ("下单时间：2026-12-01 10:00 付款时间：2026-12-01 10:05", True),
        ("Order No.: 3345123498761234567", True),
    ],
)
def test_looks_like_order_page(text: str, expected: bool) -> None:
    assert looks_like_order_page(text) is expected


@pytest.mark.parametrize(
    "text", ["", "\x00\x01\x02", "还剩" * 20_000, "9" * 50_000, "天" * 30_000, "¥" * 10]
)
def test_odd_input_never_raises(text: str) -> None:
    page = read_order_page(text, NOW)

    assert page.status in OrderStatus
    assert page.deadline_at is None or page.deadline_at >= NOW


def test_naive_now_is_a_bug() -> None:
    with pytest.raises(ValueError, match="aware"):
        read_order_page("还剩3天", datetime(2026, 12, 7))


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("卖家已发货\n6天23小时后自动确认收货", timedelta(days=6, hours=23)),
        ("发货时间：2026-12-06 16:40:11 7天后自动确认收货", timedelta(days=7)),
        ("Status: Shipped. Time left to auto-confirm: 5d 12h", timedelta(days=5, hours=12)),
        ("Remaining time: 3 days 4 hours (auto confirm)", timedelta(days=3, hours=4)),
        ("Shipped. 5 days 12 hours left to confirm receipt", timedelta(days=5, hours=12)),
    ],
)
def test_countdowns_written_after_or_in_english(text: str, left: timedelta) -> None:
    page = read_order_page(text, NOW)

    assert page.basis == "countdown"
    assert page.deadline_at == NOW + left


def test_step_bars_and_order_tabs_name_no_status() -> None:
    tabs = read_order_page("全部 待付款 待发货 待收货 待评价\n还剩2天自动确认收货", NOW)
    steps = read_order_page("1 拍下商品 2 付款到支付宝 3 卖家发货 4 确认收货 5 评价", NOW)

    assert tabs.status is OrderStatus.SHIPPED  # from its running clock, not a tab
    assert steps.status is OrderStatus.UNKNOWN


def test_refund_or_logistics_status_is_not_the_order_status() -> None:
    text = "Refund status: Closed\nOrder status: Shipped\nAuto-confirm receipt in 2 days"

    assert read_order_page(text, NOW).status is OrderStatus.SHIPPED


def test_a_sentence_is_not_a_product() -> None:
    text = "售后中\n卖家已同意退货，请在6天23小时内寄回\n订单编号:4200000011112222444"
    page = read_order_page(text, NOW)

    assert page.product is None


def test_an_auto_confirm_day_just_past_is_this_year_not_next() -> None:
    now = datetime(2026, 12, 16, 2, tzinfo=UTC)
    page = read_order_page("卖家已发货\n将于12月15日 18:00前自动确认收货", now)

    assert page.deadline_at == datetime(2026, 12, 15, 10, tzinfo=UTC)


def test_a_ship_day_without_a_year_in_early_january_is_last_december() -> None:
    now = datetime(2027, 1, 3, tzinfo=UTC)
    page = read_order_page("待收货\n发货时间：12-28 14:00", now)

    assert page.shipped_at == datetime(2026, 12, 28, 6, tzinfo=UTC)
    assert page.deadline_at == datetime(2027, 1, 7, 6, tzinfo=UTC)


def test_traditional_characters() -> None:
    text = "賣家已發貨\n還剩5天3小時自動確認收貨\n訂單編號：3482915567012345678"
    page = read_order_page(text, NOW)

    assert page.status is OrderStatus.SHIPPED
    assert page.order_no == "3482915567012345678"
    assert page.deadline_at == NOW + timedelta(days=5, hours=3)


def test_a_labelled_time_on_the_line_before_auto_confirm_is_not_the_deadline() -> None:
    # Flattened, the page reads "付款时间：2026-11-18 10:25:30 自动确认： …": the payment time
    # sits right before 自动确认, and must still not be taken for the auto-confirm time.
    page = read_order_page(
        "订单号：3456789012345678901\n付款时间：2026-11-18 10:25:30\n自动确认：\n6 / 23 / 59",
        NOW,
    )

    assert page.deadline_at is None
    assert page.auto_confirm_at is None


@pytest.mark.parametrize(
    "line",
    [
        "确认收货超时：6天23小时59分",
        "确认收货期限 6天23小时59分",
        "确认收货 ⏱ 6天23小时59分",
        "Auto-confirm countdown: 6天23小时59分",
        "自动确认收货倒计时：6天23时59分",
    ],
)
def test_a_countdown_right_after_the_confirm_words(line: str) -> None:
    page = read_order_page(f"订单号：3456789012345678901\n卖家已发货\n{line}", NOW)

    assert page.deadline_at == NOW + timedelta(days=6, hours=23, minutes=59)


def test_a_rule_the_page_states_is_not_time_left() -> None:
    page = read_order_page("订单号：3456789012345678901\n卖家已发货\n自动确认收货：10天", NOW)

    assert page.deadline_at is None
