"""A trace pasted as JSON: a Kuaidi100 answer (`data: [{time, context}]`, `nu`, `com`),
a Kdniao one (`Traces: [{AcceptTime, AcceptStation}]`, `LogisticCode`, `ShipperCode`),
or either wrapped in another object. Turned into the time-above-text layout the reader
reads, with the number and the carrier's name on a header line."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.logistics.model import Carrier

_TIME_KEYS = ("ftime", "time", "AcceptTime", "acceptTime")
_TEXT_KEYS = ("context", "AcceptStation", "acceptStation", "desc", "content")
_NUMBER_KEYS = ("nu", "LogisticCode", "logisticCode", "trackingNumber", "expressTrackNumber")
_CARRIER_KEYS = ("com", "ShipperCode", "shipperCode", "expressCompanyCode")
# Kuaidi100 and Kdniao carrier codes.
_CODES = {
    "zhongtong": Carrier.ZTO,
    "zto": Carrier.ZTO,
    "yuantong": Carrier.YTO,
    "yto": Carrier.YTO,
    "yunda": Carrier.YUNDA,
    "yd": Carrier.YUNDA,
    "shentong": Carrier.STO,
    "sto": Carrier.STO,
    "jtexpress": Carrier.JT,
    "jtsd": Carrier.JT,
    "shunfeng": Carrier.SF,
    "sf": Carrier.SF,
    "debangkuaidi": Carrier.DEPPON,
    "debangwuliu": Carrier.DEPPON,
    "dbl": Carrier.DEPPON,
    "jd": Carrier.JD,
    "ems": Carrier.EMS,
}
_MAX_DEPTH = 6


def json_trace_text(text: str) -> str | None:
    """The trace in a pasted JSON answer as lines, or None when the text is not one."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    events = _events(value, 0)
    if not events:
        return None
    header = []
    carrier = _field(value, _CARRIER_KEYS, 0)
    if carrier is not None and carrier.casefold() in _CODES:
        header.append(_CODES[carrier.casefold()].value)
    number = _field(value, _NUMBER_KEYS, 0)
    if number is not None:
        header.append(f"单号：{number}")
    lines = [" ".join(header)] if header else []
    for when, what in events:
        lines += [when, what]
    return "\n".join(lines)


def _events(value: Any, depth: int) -> list[tuple[str, str]]:
    """The first list of {time, text} objects found, breadth before depth."""
    if depth > _MAX_DEPTH:
        return []
    if isinstance(value, list):
        found = [pair for item in value if (pair := _event(item)) is not None]
        if found:
            return found
        children: list[Any] = value
    elif isinstance(value, dict):
        children = list(value.values())
    else:
        return []
    for child in children:
        if isinstance(child, list | dict) and (found := _events(child, depth + 1)):
            return found
    return []


def _event(item: Any) -> tuple[str, str] | None:
    if not isinstance(item, dict):
        return None
    when = next((item[key] for key in _TIME_KEYS if isinstance(item.get(key), str)), None)
    what = next((item[key] for key in _TEXT_KEYS if isinstance(item.get(key), str)), None)
    if when is None or what is None or not what.strip():
        return None
    return when.strip(), " ".join(what.split())


def _field(value: Any, keys: tuple[str, ...], depth: int) -> str | None:
    """The first string under one of `keys`, searching nested objects."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), str) and value[key].strip():
                return str(value[key]).strip()
        children: list[Any] = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        if isinstance(child, list | dict) and (found := _field(child, keys, depth + 1)):
            return found
    return None
