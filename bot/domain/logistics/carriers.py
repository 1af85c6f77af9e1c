"""Which carrier a trace is from, and its tracking number.

The carrier's own name in the trace wins (`感谢使用圆通速递`, `中通快递员`); without one, the
shape of the tracking number decides. Shapes and how sure we are of each:

| carrier | shape | confidence |
|---|---|---|
| 顺丰 SF | `SF` + 12-15 digits | solid: the SF prefix is printed on every waybill |
| 极兔 J&T | `JT` + 13 digits | solid (public validators agree) |
| 圆通 YTO | `YT` + 13 digits | solid (public validators, Kuaidi100 examples) |
| 京东 JD | `JD` + 2 letters or digits + 11 digits | likely |
| 德邦 Deppon | `DPK` + 12 digits | likely |
| EMS (international) | 2 letters + 9 digits + `CN` | solid (UPU S10) |
| 中通 ZTO | 73-76 or 78 + 12 digits (14 digits) | likely |
| 申通 STO | 77 + 12-13 digits | uncertain |
| 韵达 Yunda | 3 or 4 + 12-14 digits | uncertain (overlaps other all-digit shapes) |
| EMS (domestic) | 1 or 9 + 12 digits | uncertain |

Sources: BF-zh/Courier-Validation (src/pattern/*.ts), Kuaidi100 answers quoted in public
code (e.g. YT5555508965056, yunda 3914712788236). All-digit shapes are a last resort.
"""

from __future__ import annotations

import re

from bot.domain.logistics.model import Carrier

_NAMES: dict[Carrier, tuple[str, ...]] = {
    Carrier.ZTO: ("中通", "ZTO"),
    Carrier.YTO: ("圆通", "YTO"),
    Carrier.YUNDA: ("韵达", "YUNDA"),
    Carrier.STO: ("申通", "STO"),
    Carrier.JT: ("极兔", "J&T", "JTEXPRESS"),
    Carrier.SF: ("顺丰", "SFEXPRESS", "SF EXPRESS"),
    Carrier.DEPPON: ("德邦", "DEPPON"),
    Carrier.JD: ("京东", "JDL"),
    Carrier.EMS: ("EMS", "中国邮政", "邮政速递", "邮政快递", "邮政EMS"),
}
_NAME_RES = {
    carrier: re.compile(
        "|".join(
            rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])" if name.isascii() else re.escape(name)
            for name in names
        ),
        re.IGNORECASE,
    )
    for carrier, names in _NAMES.items()
}

# Most specific first: letter prefixes, then all-digit shapes.
_SHAPES: tuple[tuple[Carrier, re.Pattern[str]], ...] = tuple(
    (carrier, re.compile(rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"))
    for carrier, pattern in (
        (Carrier.SF, r"SF\d{12,15}"),
        (Carrier.JT, r"JT\d{13}"),
        (Carrier.YTO, r"YT\d{13}"),
        (Carrier.JD, r"JD[A-Z0-9]{2}\d{11}"),
        (Carrier.DEPPON, r"DPK\d{12}"),
        (Carrier.EMS, r"[A-Z]{2}\d{9}CN"),
        (Carrier.ZTO, r"7[3-68]\d{12}"),
        (Carrier.STO, r"77\d{12,13}"),
        (Carrier.YUNDA, r"[34]\d{12,14}"),
        (Carrier.EMS, r"[19]\d{12}"),
    )
)
# `单号` inside `订单号` is the 1688 order's number, never the parcel's.
_LABELLED = re.compile(
    r"(?<![订])(?:运单号码|运单编号|运单号|快递单号|物流单号|物流编号|邮件号|单号|运单|tracking(?:\s*no\.?)?)"
    r"\s*[:：]?\s*([A-Za-z]{0,3}\d[A-Za-z\d]{7,24})(?![A-Za-z\d])",
    re.IGNORECASE,
)


def carrier_by_name(text: str) -> Carrier | None:
    """The carrier the text names most often (the first named, on a tie)."""
    best: tuple[int, int, Carrier] | None = None
    for carrier, pattern in _NAME_RES.items():
        matches = list(pattern.finditer(text))
        if matches:
            key = (-len(matches), matches[0].start(), carrier)
            best = key if best is None or key[:2] < best[:2] else best
    return best[2] if best else None


def carrier_by_number(number: str) -> Carrier | None:
    for carrier, pattern in _SHAPES:
        if pattern.fullmatch(number):
            return carrier
    return None


def find_tracking_number(text: str) -> str | None:
    """The tracking number: after a label (`运单号：`), else the first known shape."""
    if match := _LABELLED.search(text):
        return match[1].upper()
    found = [
        (match.start(), index, match[0])
        for index, (_, pattern) in enumerate(_SHAPES)
        for match in pattern.finditer(text.upper())
    ]
    if not found:
        return None
    # Letter-prefixed shapes beat all-digit ones anywhere in the text.
    found.sort(key=lambda item: (item[1] >= 6, item[0]))
    return found[0][2]


def detect_carrier(text: str, tracking_no: str | None) -> Carrier | None:
    by_name = carrier_by_name(text)
    if by_name is not None:
        return by_name
    return carrier_by_number(tracking_no) if tracking_no else None
