"""`python -m bot bench order-page`: how fast the order page reader reads a page, and how
many pages of the labelled corpus (tests/data/order_pages, when run from the repository)
it reads right."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

CORPUS = Path("tests/data/order_pages/pages.jsonl")
# Used when the corpus is not at hand (an installed package): one page per layout.
SAMPLE_PAGES: tuple[str, ...] = (
    "卖家已发货\n还剩9天23小时52分自动确认收货\n义乌市好运来日用品有限公司 >\n"
    "加厚不锈钢保温杯 500ml\n实付款 ¥2,580.00\n订单编号：3482915567012345678\n"
    "下单时间：2026-12-01 10:21:33\n付款时间：2026-12-01 10:25:02\n发货时间：2026-12-06 16:40:11",
    "订单号：2876543210987654321 当前订单状态：卖家已发货，等待买家确认收货 "
    "自动确认收货时间：2026-12-15 18:00:00 下单时间：2026-11-30 09:12:45",
    "已签收\n订单编号：3700011122233344455\n发货时间：2026-11-20 10:00:00\n"
    "签收时间：2026-11-30 15:00:00",
    "Order status: Shipped\nOrder No.: 3345123498761234567\n"
    "Auto-confirm receipt in 5 days 12 hours",
)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _load() -> list[dict[str, object]]:
    if not CORPUS.is_file():
        return []
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def _right(case: dict[str, object]) -> bool:
    from bot.domain.escrow.order_page import page_to_json, read_order_page

    expected = case["expected"]
    assert isinstance(expected, dict)
    got = page_to_json(read_order_page(str(case["text"]), _instant(str(case["now"]))))
    if (got["status"], got["order_no"]) != (expected["status"], expected["order_no"]):
        return False
    truth, found = expected["deadline_at"], got["deadline_at"]
    if truth is None or found is None:
        return bool(truth == found)
    off = _instant(str(truth)) - _instant(str(found))
    return timedelta(0) <= off <= timedelta(minutes=1)


def bench_order_page(seconds: float) -> list[tuple[str, str, str]]:
    from bot.domain.escrow.order_page import read_order_page

    cases = _load()
    pages = [str(case["text"]) for case in cases] or list(SAMPLE_PAGES)
    now = _instant("2026-12-07T02:00:00Z")
    read_order_page(pages[0], now)
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for page in pages:
            read_order_page(page, now)
        done += len(pages)
    mean_length = sum(map(len, pages)) / len(pages)
    rows = [
        (
            "order page reader, one core",
            f"{elapsed / done * 1e6:,.0f} µs/page",
            f"{done / elapsed:,.0f} pages/s over {len(pages)} pages, mean {mean_length:.0f} chars",
        )
    ]
    for split in ("tune", "held_out"):
        chosen = [case for case in cases if case["split"] == split]
        if chosen:
            right = sum(_right(case) for case in chosen)
            rows.append(
                (
                    f"order page reader accuracy, {split}",
                    f"{right}/{len(chosen)} ({right / len(chosen):.0%})",
                    "status and order number exact, deadline within 1 min and never late",
                )
            )
    return rows
