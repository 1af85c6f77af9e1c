"""The order's status from the words on its page.

A labelled status (`交易状态：…`, `当前订单状态：…`, `Order status: …`) wins (a shipped one
becomes signed when the page also says 已签收: the label does not change when the parcel is
signed for). Otherwise every
status word on the page counts, and the strongest wins: an open refund stops the clock
whatever else the page shows, a closed or completed order is over, a signed parcel is
further along than a shipped one. The web page's step bar (`提交订单 > 付款 > 卖家发货 >
确认收货 > 交易成功`) names every state, so it is skipped. A refund that is closed or
withdrawn (`退款关闭`, `退款已撤销`) is not a refund in progress: its words are not in the
table.
"""

from __future__ import annotations

import re

from bot.domain.escrow.order_page.model import OrderStatus

_S = OrderStatus

# Strongest first: when the page shows several, the first status in this table wins.
_WORDS: tuple[tuple[OrderStatus, tuple[str, ...]], ...] = (
    (_S.REFUNDING, ("退款中", "退款申请中", "退款处理中", "售后中", "售后处理中", "退货退款中")),
    (_S.CLOSED, ("交易关闭", "交易已关闭", "订单关闭", "订单已关闭", "已关闭", "已取消")),
    (_S.COMPLETED, ("交易成功", "交易完成", "已确认收货", "已完成")),
    (_S.SIGNED, ("已签收",)),
    (
        _S.SHIPPED,
        ("卖家已发货", "等待买家确认收货", "等待买家收货", "等待收货", "待收货", "已发货"),
    ),
    (_S.PAID_UNSHIPPED, ("等待卖家发货", "待发货", "买家已付款")),
    (_S.UNPAID, ("等待买家付款", "待付款", "待支付", "等待付款")),
)
_ENGLISH: tuple[tuple[OrderStatus, tuple[str, ...]], ...] = (
    (_S.REFUNDING, ("refunding", "refund in progress", "after-sales in progress")),
    (_S.CLOSED, ("closed", "cancelled", "canceled")),
    (_S.COMPLETED, ("completed", "complete", "finished", "trade success", "success")),
    (_S.SIGNED, ("signed", "delivered")),
    (_S.SHIPPED, ("awaiting receipt", "awaiting buyer confirmation", "shipped", "in transit")),
    (_S.PAID_UNSHIPPED, ("awaiting shipment", "to be shipped", "paid")),
    (_S.UNPAID, ("awaiting payment", "pending payment", "unpaid")),
)
# English words that name a status even without a label (a bare "paid" is a time label).
_ENGLISH_ANYWHERE = ("awaiting receipt", "awaiting payment", "awaiting shipment", "refunding")

_LABEL = re.compile(r"(?:当前)?(?:交易|订单)状态\s*[:：]?\s*([^\n]{1,24})")
# `Refund status: closed` or `Logistics status: signed` is not the order's status.
_ENGLISH_LABEL = re.compile(
    r"(?i)(?<!refund )(?<!logistics )(?<!shipping )(?:order\s+)?status\s*:\s*([^\n]{1,30})"
)
# A refund that is over: its words must not read as a closed order or a refund in progress.
_REFUND_OVER = re.compile(
    r"退款(?:申请)?已?(?:关闭|撤销|取消)|已?(?:撤销|撤回|取消)了?退款(?:申请)?"
)
_STEP = (
    r"(?:拍下商品|拍下|提交订单|买家付款|付款到支付宝|付款|卖家发货|发货|确认收货|交易成功|双方评价|评价"
    r"|全部|待付款|待发货|待收货|待评价|退款/售后)"
)
_STEP_GAP = r"[\s>›→»|/·\-—.、]*(?:\d{1,2}[\s>›→»|/·\-—.、]*)?"
_STEP_BAR = re.compile(rf"{_STEP}(?:{_STEP_GAP}{_STEP}){{2,}}")


def find_status(text: str) -> tuple[OrderStatus, str | None]:
    """The status and the words it was read from (None when no word named it)."""
    text = _REFUND_OVER.sub(lambda match: " " * len(match[0]), text)
    for label in (_LABEL, _ENGLISH_LABEL):
        for match in label.finditer(text):
            found = _first_named(match[1])
            if found is None:
                continue
            if found[0] is _S.SHIPPED and "已签收" in _without_step_bars(text):
                # 等待买家确认收货 stays the label after the parcel is signed for.
                return _S.SIGNED, f"{match[0].strip()} + 已签收"
            return found[0], match[0].strip()
    words = _without_step_bars(text)
    for status, spellings in _WORDS:
        for spelling in spellings:
            if spelling in words:
                return status, spelling
    lowered = words.lower()
    for status, spellings in _ENGLISH:
        for spelling in spellings:
            if spelling in _ENGLISH_ANYWHERE and spelling in lowered:
                return status, spelling
    return _S.UNKNOWN, None


def _first_named(value: str) -> tuple[OrderStatus, int] | None:
    """The status named earliest in a labelled value (`买家已付款，等待卖家发货`)."""
    lowered = value.lower()
    hits = [
        (lowered.find(spelling), status)
        for table in (_WORDS, _ENGLISH)
        for status, spellings in table
        for spelling in spellings
        if spelling in lowered
    ]
    if not hits:
        return None
    position, status = min(hits, key=lambda hit: hit[0])
    return status, position


def _without_step_bars(text: str) -> str:
    """The text without runs of three or more order steps (the web step bar, the app's
    order tabs), which name every state at once."""
    return _STEP_BAR.sub(" ", text)
