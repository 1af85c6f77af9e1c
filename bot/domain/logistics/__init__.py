"""Logistics traces (物流详情): what a pasted or photographed trace says, and the signs of
a fake or misdelivered parcel.

- reader: `read_trace(text, now)` and `looks_like_trace(text)`;
- flags: `check_trace(trace, now, warehouse_city=…, shipped_at=…, paid_at=…)` and
  `trace_to_json(trace, flags)` (the `read-logistics --json` object);
- messages: `seller_message` and `service_message`, Chinese texts to copy;
- carriers, places: carrier names and number shapes, cities.

Pure: `now` is passed in, every datetime is aware, times come out in UTC.
"""

from __future__ import annotations

from bot.domain.logistics.flags import check_trace, trace_to_json
from bot.domain.logistics.messages import seller_message, service_message
from bot.domain.logistics.model import Carrier, Flag, FlagCode, SignedBy, Trace, TraceEvent
from bot.domain.logistics.places import normalize_city, same_city
from bot.domain.logistics.reader import looks_like_trace, read_trace

__all__ = [
    "Carrier",
    "Flag",
    "FlagCode",
    "SignedBy",
    "Trace",
    "TraceEvent",
    "check_trace",
    "looks_like_trace",
    "normalize_city",
    "read_trace",
    "same_city",
    "seller_message",
    "service_message",
    "trace_to_json",
]
