"""TEMPORARY STUB until the reader branch lands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.escrow import countdown_duration


class OrderStatus(StrEnum):
    UNPAID = "unpaid"
    PAID_UNSHIPPED = "paid_unshipped"
    SHIPPED = "shipped"
    SIGNED = "signed"
    REFUNDING = "refunding"
    COMPLETED = "completed"
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class OrderPage:
    deadline_at: datetime | None
    order_no: str | None
    status: OrderStatus
    basis: str
    estimated: bool = False
    product: str | None = None


_STATUS = {
    "等待买家付款": OrderStatus.UNPAID,
    "等待卖家发货": OrderStatus.PAID_UNSHIPPED,
    "卖家已发货": OrderStatus.SHIPPED,
    "退款中": OrderStatus.REFUNDING,
    "交易成功": OrderStatus.COMPLETED,
    "交易关闭": OrderStatus.CLOSED,
}


def looks_like_order_page(text: str) -> bool:
    return bool(re.search(r"订单(号|编号)[:：]?\s*\d{8,}", text))


def read_order_page(text: str, now: datetime) -> OrderPage:
    number = re.search(r"订单(?:号|编号)[:：]?\s*(\d{8,})", text)
    status = next((s for w, s in _STATUS.items() if w in text), OrderStatus.UNKNOWN)
    product = re.search(r"商品[:：]\s*(\S+)", text)
    deadline = None
    left = re.search(r"还剩[^\n]*", text)
    if status in (OrderStatus.SHIPPED, OrderStatus.UNKNOWN) and left:
        duration = countdown_duration(left.group(0))
        deadline = now + duration if duration else None
    return OrderPage(
        deadline,
        number.group(1) if number else None,
        status,
        "countdown" if deadline else "no_running_clock",
        product=product.group(1) if product else None,
    )


def page_to_json(page: OrderPage) -> dict[str, object]:
    return {}
