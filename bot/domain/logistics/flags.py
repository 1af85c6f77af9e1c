"""Signs that a tracking number is fake or the parcel went astray, each with its evidence.

| flag | raised when |
|---|---|
| signed_outside_warehouse_city | signed in another city than the warehouse's (when one is given) |
| signed_by_proxy | signed by 门卫, 前台, 代签, 家人, 同事, 物业, 保安, 邻居, 传达室, 收发室… |
| signed_at_locker_or_station | left at a locker (丰巢, 快递柜) or station (驿站, 代收点, 兔喜…) |
| signed_too_fast | signed less than 12 hours after the first scan, in another city |
| no_movement | not signed, and the last event is more than 72 hours old |
| signed_before_shipped | signed before the order was marked shipped or paid (a recycled number) |

A county-level city and its prefecture count as one city (义乌 and 金华): carriers label
义乌 scans `【金华市】`. A warehouse city in Latin letters that we cannot map to Chinese
(see places.py) is not compared. A clean delivery to the warehouse raises nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.escrow.deadline import require_aware
from bot.domain.logistics.model import Flag, FlagCode, SignedBy, Trace, TraceEvent
from bot.domain.logistics.places import normalize_city, same_city
from bot.domain.masking import mask_phone_numbers

TOO_FAST = timedelta(hours=12)
NO_MOVEMENT = timedelta(hours=72)


def check_trace(
    trace: Trace,
    now: datetime,
    *,
    warehouse_city: str | None = None,
    shipped_at: datetime | None = None,
    paid_at: datetime | None = None,
) -> tuple[Flag, ...]:
    """The flags a trace raises, in FlagCode order, each quoting its line(s)."""
    require_aware(now, "now")
    for name, value in (("shipped_at", shipped_at), ("paid_at", paid_at)):
        if value is not None:
            require_aware(value, name)
    found: dict[FlagCode, str] = {}
    signing = trace.signing_event
    warehouse = normalize_city(warehouse_city) if warehouse_city else None
    if warehouse is not None and warehouse.isascii():
        warehouse = None  # a Latin name we do not know: no comparison beats a wrong one
    if signing is None:
        last = trace.last_event
        if last is not None and now - last.at > NO_MOVEMENT:
            found[FlagCode.NO_MOVEMENT] = last.line
        return _flags(found)
    signed_city = trace.signed_city
    if warehouse and signed_city and not same_city(signed_city, warehouse):
        found[FlagCode.SIGNED_OUTSIDE_WAREHOUSE_CITY] = _with_city(signing, signed_city)
    how = trace.signed_by_event
    if trace.signed_by is SignedBy.PROXY and how is not None:
        found[FlagCode.SIGNED_BY_PROXY] = how.line
    if trace.signed_by in (SignedBy.LOCKER, SignedBy.STATION) and how is not None:
        found[FlagCode.SIGNED_AT_LOCKER_OR_STATION] = how.line
    first = trace.first_scan_event
    if (
        first is not None
        and first.city
        and signed_city
        and not same_city(first.city, signed_city)
        and signing.at - first.at < TOO_FAST
    ):
        found[FlagCode.SIGNED_TOO_FAST] = f"{first.line} → {signing.line}"
    if any(moment is not None and signing.at < moment for moment in (shipped_at, paid_at)):
        found[FlagCode.SIGNED_BEFORE_SHIPPED] = signing.line
    return _flags(found)


def _with_city(event: TraceEvent, city: str) -> str:
    """The signing line, naming the city when the line itself does not."""
    return event.line if event.city else f"{event.line} ({city})"


def _flags(found: dict[FlagCode, str]) -> tuple[Flag, ...]:
    return tuple(Flag(code, mask_phone_numbers(found[code])) for code in FlagCode if code in found)


def trace_to_json(trace: Trace, flags: tuple[Flag, ...]) -> dict[str, Any]:
    """The `read-logistics --json` object of DESIGN.md."""
    signed_at = trace.signed_at
    return {
        "carrier": trace.carrier.value if trace.carrier else None,
        "tracking_no": trace.tracking_no,
        "signed": trace.signed,
        "signed_at": _utc_iso(signed_at) if signed_at else None,
        "signed_city": trace.signed_city,
        "signed_by": trace.signed_by.value if trace.signed_by else None,
        "first_scan_city": trace.first_scan_city,
        "flags": [flag.code.value for flag in flags],
    }


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
