"""Reading a 1688 (or Taobao) order page: its status, its order number, and when its escrow
auto-confirms receipt.

The deadline comes from the first of these the page shows:
1. its countdown (`还剩9天23小时52分自动确认收货`, `确认收货还剩：6天`, `Auto-confirm receipt in
   5 days 12 hours`): now + what it says, never rounded up;
2. its auto-confirm time (`自动确认收货时间：2026-12-15 18:00:00`, `12月15日 18:00前`), Beijing
   time; a month and day without a year is the next one; a date without a time is that
   day's 00:00 (an estimate);
3. its ship and sign times, by the 2023 rule (deadline.auto_confirm_deadline);
4. its ship time alone: shipped + 10 days, an estimate.
An unpaid, unshipped, refunding, completed or closed order has no running clock, whatever
countdown its page shows (a payment window, a seller's time to answer a refund).
A deadline may err early, never late: every guess is the earliest plausible moment.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.domain.escrow.deadline import EscrowRules, Timeline, auto_confirm_deadline, require_aware
from bot.domain.escrow.order_page.model import NO_RUNNING_CLOCK, Basis, OrderPage, OrderStatus
from bot.domain.escrow.order_page.status import find_status
from bot.domain.escrow.order_page.text import clean, flat, snippet
from bot.domain.escrow.order_page.times import (
    Found,
    FoundCountdown,
    find_auto_confirm,
    find_countdown,
    find_extension_days,
    find_shipped,
    find_signed,
)

_ORDER_NO = re.compile(
    r"(?:订单编号|订单号码|订单号|订单ID|(?i:order\s*(?:no\.?|number|id|#)))"
    r"\s*[:：#]?\s*(?P<digits>\d(?: ?\d){5,29})(?!\d)"
)
_MARKERS = (
    "自动确认收货",
    "交易状态",
    "订单状态",
    "下单时间",
    "付款时间",
    "发货时间",
    "签收时间",
    "创建时间",
    "成交时间",
    "卖家已发货",
    "实付款",
    "收货地址",
    "延长收货",
    "申请退款",
    "等待买家付款",
    "等待卖家发货",
    "等待买家确认收货",
    "交易成功",
    "交易关闭",
    "订单详情",
    "auto-confirm",
    "order status",
    "shipping time",
)


def looks_like_order_page(text: str) -> bool:
    """True for a page with an order number (订单号/订单编号 and digits) or two distinct
    order-page markers; a bare countdown typed in a chat (`还剩3天`) is not a page."""
    cleaned = clean(text)
    if _ORDER_NO.search(cleaned):
        return True
    lowered = flat(cleaned).lower()
    return sum(marker in lowered for marker in _MARKERS) >= 2


def read_order_page(text: str, now: datetime) -> OrderPage:
    """What the page says about the order at `now` (aware); never raises on odd text."""
    require_aware(now, "now")
    cleaned = clean(text)
    line = flat(cleaned)
    status, status_words = find_status(cleaned)
    countdown = find_countdown(line)
    auto_confirm = find_auto_confirm(line, now)
    shipped = find_shipped(line, now)
    signed = find_signed(line, now)
    if status is OrderStatus.UNKNOWN or (status is OrderStatus.SHIPPED and signed is not None):
        status = _implied_status(countdown, auto_confirm, shipped, signed)
    extension_days = find_extension_days(line)
    evidence = [status_words] if status_words else []
    deadline, basis, estimated, used = _deadline(
        status, now, countdown, auto_confirm, shipped, signed, extension_days
    )
    order_no, order_evidence = _order_no(cleaned)
    return OrderPage(
        deadline_at=deadline,
        order_no=order_no,
        status=status,
        basis=basis.value,
        estimated=estimated,
        product=_product(cleaned),
        evidence=tuple(evidence + used + ([order_evidence] if order_evidence else [])),
        countdown=countdown.duration if countdown else None,
        auto_confirm_at=auto_confirm.moment if auto_confirm else None,
        shipped_at=shipped.moment if shipped else None,
        signed_at=signed.moment if signed else None,
        extension_days=extension_days,
    )


def _implied_status(
    countdown: FoundCountdown | None,
    auto_confirm: Found | None,
    shipped: Found | None,
    signed: Found | None,
) -> OrderStatus:
    """No status word: a sign time means signed; a running clock or a ship time, shipped."""
    if signed is not None:
        return OrderStatus.SIGNED
    if countdown is not None or auto_confirm is not None or shipped is not None:
        return OrderStatus.SHIPPED
    return OrderStatus.UNKNOWN


def _deadline(
    status: OrderStatus,
    now: datetime,
    countdown: FoundCountdown | None,
    auto_confirm: Found | None,
    shipped: Found | None,
    signed: Found | None,
    extension_days: int,
) -> tuple[datetime | None, Basis, bool, list[str]]:
    """(deadline, basis, estimated, evidence used)."""
    if status in NO_RUNNING_CLOCK:
        return None, Basis.NO_RUNNING_CLOCK, False, []
    if countdown is not None:
        return now + countdown.duration, Basis.COUNTDOWN, False, [countdown.evidence]
    if auto_confirm is not None:
        return (
            auto_confirm.moment,
            Basis.AUTO_CONFIRM_TIME,
            auto_confirm.day_only,
            [auto_confirm.evidence],
        )
    if signed is not None:
        timeline = Timeline(
            shipped_at=shipped.moment if shipped else None,
            signed_at=signed.moment,
            extension_days=extension_days,
        )
        deadline = auto_confirm_deadline(timeline, EscrowRules(), now)
        guessed = shipped is None or shipped.day_only or signed.day_only
        used = [found.evidence for found in (shipped, signed) if found is not None]
        return deadline, Basis.SIGNED_RULE, guessed, used
    if shipped is not None:
        after = EscrowRules().after_shipped + timedelta(days=extension_days)
        return shipped.moment + after, Basis.SHIPPED_PLUS_10D, True, [shipped.evidence]
    return None, Basis.NOT_FOUND, False, []


def _order_no(cleaned: str) -> tuple[str | None, str | None]:
    match = _ORDER_NO.search(cleaned)
    if match is None:
        return None, None
    return match["digits"].replace(" ", ""), snippet(cleaned, *match.span())


# Lines that are not a product title: labels, prices, buttons, shops, status lines.
_NOT_PRODUCT = re.compile(
    r"[:：¥￥]|时间|订单|交易|发货|收货|签收|付款|退款|售后|确认|延长|物流|快递|评价|还剩|剩余"
    r"|有限公司|商行|工厂|厂\s*>?$|店\s*>?$|>\s*$|单价|数量|合计|运费|复制|^\W*$"
    r"|卖家|买家|请|您|系统|[,，。!！?？]"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _product(cleaned: str) -> str | None:
    """The first line that reads as a product title (four or more CJK characters, and none
    of the page's own labels), to suggest a name for the order; None when there is none."""
    for raw in cleaned.splitlines():
        line = raw.strip()
        if 6 <= len(line) <= 80 and len(_CJK.findall(line)) >= 4 and not _NOT_PRODUCT.search(line):
            return line
    return None
