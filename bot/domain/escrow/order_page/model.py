"""What the order page reader gives back, and its JSON for `python -m bot read-order`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class OrderStatus(StrEnum):
    UNPAID = "unpaid"
    PAID_UNSHIPPED = "paid_unshipped"
    SHIPPED = "shipped"
    SIGNED = "signed"
    REFUNDING = "refunding"
    COMPLETED = "completed"
    CLOSED = "closed"
    UNKNOWN = "unknown"


# Orders whose escrow clock is not running: not paid, not shipped, paused by a refund, or over.
NO_RUNNING_CLOCK = frozenset(
    {
        OrderStatus.UNPAID,
        OrderStatus.PAID_UNSHIPPED,
        OrderStatus.REFUNDING,
        OrderStatus.COMPLETED,
        OrderStatus.CLOSED,
    }
)


class Basis(StrEnum):
    """Where `deadline_at` came from (or why there is none)."""

    COUNTDOWN = "countdown"  # the page's own 还剩X天Y小时 read at `now`
    AUTO_CONFIRM_TIME = "auto_confirm_time"  # 自动确认收货时间：… (Beijing)
    SIGNED_RULE = "signed_rule"  # the 2023 rule on the ship and sign times
    SHIPPED_PLUS_10D = "shipped_plus_10d_estimate"  # only a ship time: shipped + 10 days
    NO_RUNNING_CLOCK = "no_running_clock"  # unpaid, unshipped, refunding, completed, closed
    NOT_FOUND = "no_deadline_found"  # a running order, but nothing on the page dates it


@dataclass(frozen=True)
class OrderPage:
    """One order page, read. Times are aware UTC.

    `estimated`: the deadline is a guess planned from the earliest plausible moment (shipped
    + 10 days, a date without a time read as that day's 00:00 Beijing, a sign time alone).
    `evidence`: the snippets of the page each finding came from, in the order used.
    `countdown`, `auto_confirm_at`, `shipped_at`, `signed_at`, `extension_days`: what the page
    says, whether or not it decided the deadline.
    """

    deadline_at: datetime | None
    order_no: str | None
    status: OrderStatus
    basis: str
    estimated: bool = False
    product: str | None = None
    evidence: tuple[str, ...] = ()
    countdown: timedelta | None = None
    auto_confirm_at: datetime | None = None
    shipped_at: datetime | None = None
    signed_at: datetime | None = None
    extension_days: int = 0


def utc_iso(moment: datetime | None) -> str | None:
    """`2026-12-15T10:00:00Z`: UTC, whole seconds, ending in Z (the CLI's documented form)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def page_to_json(page: OrderPage) -> dict[str, object]:
    """The `read-order --json` object (DESIGN.md): deadline_at, order_no, status, basis."""
    return {
        "deadline_at": utc_iso(page.deadline_at),
        "order_no": page.order_no,
        "status": page.status.value,
        "basis": page.basis,
    }
