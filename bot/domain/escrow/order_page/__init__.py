"""The order page reader: a pasted or OCR-read 1688 order page in, its status, order number
and auto-confirm deadline out (reader.read_order_page; the rules are in its module doc).

Pure like the rest of bot.domain: `now` is passed in, every datetime is aware UTC.
"""

from __future__ import annotations

from bot.domain.escrow.order_page.model import Basis, OrderPage, OrderStatus, page_to_json
from bot.domain.escrow.order_page.reader import looks_like_order_page, read_order_page

__all__ = [
    "Basis",
    "OrderPage",
    "OrderStatus",
    "looks_like_order_page",
    "page_to_json",
    "read_order_page",
]
