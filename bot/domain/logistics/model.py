"""What a logistics trace says: the carrier, the number, the events, and the signing.

Times are aware UTC; the reader converts the Beijing wall times of a trace. Events are
kept oldest first, whatever order the trace was pasted in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.timezones import BEIJING


class Carrier(StrEnum):
    """The carriers we recognise; the value (a Chinese short name) is what JSON shows."""

    ZTO = "中通"
    YTO = "圆通"
    YUNDA = "韵达"
    STO = "申通"
    JT = "极兔"
    SF = "顺丰"
    DEPPON = "德邦"
    JD = "京东"
    EMS = "EMS"


class SignedBy(StrEnum):
    """Who or what took the parcel from the courier."""

    RECIPIENT = "recipient"  # 本人, a name, or a plain 已签收
    PROXY = "proxy"  # 门卫, 前台, 代签, 家人, 同事, 物业, 保安, 邻居, 传达室, 收发室…
    LOCKER = "locker"  # 丰巢, 快递柜, 智能柜…
    STATION = "station"  # 菜鸟驿站, 妈妈驿站, 兔喜, 快递超市, 代收点…


class FlagCode(StrEnum):
    """Signs of a fake or misdelivered parcel, in the order they are reported."""

    SIGNED_OUTSIDE_WAREHOUSE_CITY = "signed_outside_warehouse_city"
    SIGNED_BY_PROXY = "signed_by_proxy"
    SIGNED_AT_LOCKER_OR_STATION = "signed_at_locker_or_station"
    SIGNED_TOO_FAST = "signed_too_fast"
    NO_MOVEMENT = "no_movement"
    SIGNED_BEFORE_SHIPPED = "signed_before_shipped"


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    evidence: str  # the trace line(s) behind the flag, phone numbers masked


@dataclass(frozen=True)
class TraceEvent:
    at: datetime  # aware UTC
    city: str | None  # without 市, e.g. "广州"; None when the line names none
    text: str  # the event's words, wrapped lines joined
    signs: bool = False  # the parcel left the courier's hands here (签收, 代收, 放入柜…)
    signed_by: SignedBy | None = None  # how, when the line says so (None: plain 已签收)

    @property
    def line(self) -> str:
        """The event as a trace line, in Beijing time: what a flag quotes."""
        return f"{self.at.astimezone(BEIJING):%Y-%m-%d %H:%M} {self.text}"


@dataclass(frozen=True)
class Trace:
    carrier: Carrier | None
    tracking_no: str | None
    events: tuple[TraceEvent, ...]  # oldest first
    newest_first: bool = True  # the order the trace was written in

    @property
    def signing_event(self) -> TraceEvent | None:
        """The first event in which the parcel left the courier (the earliest 签收)."""
        return next((event for event in self.events if event.signs), None)

    @property
    def signed(self) -> bool:
        return self.signing_event is not None

    @property
    def signed_at(self) -> datetime | None:
        event = self.signing_event
        return event.at if event else None

    @property
    def signed_by_event(self) -> TraceEvent | None:
        """The signing event that says how the parcel was signed (the first one that does)."""
        return next((e for e in self.events if e.signs and e.signed_by is not None), None)

    @property
    def signed_by(self) -> SignedBy | None:
        if not self.signed:
            return None
        event = self.signed_by_event
        return event.signed_by if event is not None else SignedBy.RECIPIENT

    @property
    def signed_city(self) -> str | None:
        """Where it was signed: the signing line's city, else the last city before it."""
        event = self.signing_event
        if event is None:
            return None
        index = self.events.index(event)
        return next((e.city for e in reversed(self.events[: index + 1]) if e.city), None)

    @property
    def first_scan_event(self) -> TraceEvent | None:
        """The earliest event that names a city (usually the pickup, 揽收)."""
        return next((event for event in self.events if event.city), None)

    @property
    def first_scan_city(self) -> str | None:
        event = self.first_scan_event
        return event.city if event else None

    @property
    def last_event(self) -> TraceEvent | None:
        return self.events[-1] if self.events else None
