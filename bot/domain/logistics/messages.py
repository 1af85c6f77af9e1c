"""Chinese texts to copy: one for the seller, one for 1688's customer service (客服).

Short, polite and factual: each flag says what the trace shows and quotes the line, with
phone numbers masked; nothing is claimed that the trace does not show (we do not say the
parcel never arrived, only that it is not confirmed). With no flags both are empty.
"""

from __future__ import annotations

from bot.domain.logistics.model import Flag, FlagCode, Trace
from bot.domain.logistics.places import normalize_city
from bot.domain.masking import mask_phone_numbers

_QUOTE_LIMIT = 90

# What the trace shows, per flag; {signed_city}, {warehouse}, {first_city} filled in.
_FINDINGS = {
    FlagCode.SIGNED_OUTSIDE_WAREHOUSE_CITY: (
        "物流显示在{signed_city}签收，但我们的收货仓库在{warehouse}"
    ),
    FlagCode.SIGNED_BY_PROXY: "物流显示由他人代签（非收件人本人）",
    FlagCode.SIGNED_AT_LOCKER_OR_STATION: "物流显示包裹放在了快递柜或驿站，并非送到收货地址",
    FlagCode.SIGNED_TOO_FAST: "从{first_city}揽收到{signed_city}签收不到12小时，时间不太合理",
    FlagCode.NO_MOVEMENT: "物流已超过3天没有更新，包裹还没有签收",
    FlagCode.SIGNED_BEFORE_SHIPPED: (
        "签收时间早于这笔订单的发货（或付款）时间，单号可能不属于这笔订单"
    ),
}
# What we ask the seller, per flag.
_SELLER_ASKS = {
    FlagCode.SIGNED_OUTSIDE_WAREHOUSE_CITY: "核对收货地址和单号，并提供发货底单照片",
    FlagCode.SIGNED_BY_PROXY: "联系快递员确认签收人，帮忙找回包裹",
    FlagCode.SIGNED_AT_LOCKER_OR_STATION: "告诉我们快递柜或驿站的具体位置和取件码",
    FlagCode.SIGNED_TOO_FAST: "提供揽收记录和发货底单照片",
    FlagCode.NO_MOVEMENT: "联系快递公司查明包裹位置，如已丢失请补发或退款",
    FlagCode.SIGNED_BEFORE_SHIPPED: "提供这笔订单真实的快递单号和发货底单",
}


def seller_message(
    flags: tuple[Flag, ...], trace: Trace, *, warehouse_city: str | None = None
) -> str:
    """A message for the seller (旺旺) asking them to check the parcel; "" without flags."""
    if not flags:
        return ""
    lines = [f"您好！这笔订单的物流（{_parcel(trace)}）有些问题，想请您帮忙核实："]
    lines += _findings(flags, trace, warehouse_city)
    asks = "；".join(dict.fromkeys(_SELLER_ASKS[flag.code] for flag in flags))
    lines.append(f"麻烦您{asks}。谢谢！")
    return "\n".join(lines)


def service_message(
    flags: tuple[Flag, ...],
    trace: Trace,
    *,
    warehouse_city: str | None = None,
    order_no: str | None = None,
) -> str:
    """A message for 1688 customer service asking them to check the logistics; "" without
    flags."""
    if not flags:
        return ""
    order = f"订单{order_no}" if order_no else "这笔订单"
    lines = [f"您好，我是{order}的买家。卖家提供的物流（{_parcel(trace)}）有以下异常："]
    lines += _findings(flags, trace, warehouse_city)
    lines.append(
        "目前我们未确认收到这个包裹。请平台协助核实物流信息是否真实、包裹实际在哪里；"
        "核实清楚之前我们暂不确认收货。谢谢！"
    )
    return "\n".join(lines)


def _parcel(trace: Trace) -> str:
    carrier = trace.carrier.value if trace.carrier else "快递"
    return f"{carrier} {trace.tracking_no}" if trace.tracking_no else carrier


def _findings(flags: tuple[Flag, ...], trace: Trace, warehouse_city: str | None) -> list[str]:
    warehouse = (normalize_city(warehouse_city) if warehouse_city else None) or "别的城市"
    values = {
        "signed_city": trace.signed_city or "其他城市",
        "first_city": trace.first_scan_city or "发货地",
        "warehouse": warehouse,
    }
    lines: list[str] = []
    quoted: dict[str, int] = {}
    for number, flag in enumerate(flags, start=1):
        finding = _FINDINGS[flag.code].format(**values)
        if flag.evidence in quoted:
            lines.append(f"{number}. {finding}（见第{quoted[flag.evidence]}条）")
            continue
        quoted[flag.evidence] = number
        lines.append(f"{number}. {finding}：“{_quote(flag.evidence)}”")
    return lines


def _quote(evidence: str) -> str:
    text = mask_phone_numbers(evidence)
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"
