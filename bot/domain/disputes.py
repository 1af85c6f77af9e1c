"""The dispute walkthrough's facts: refund reasons as 1688 words them, the evidence that
counts, the shipping-weight check and the Chinese texts a buyer copies at each step.

Pure: no Telegram, no database. Timings follow the shared research (§1.6 refund windows,
§1.7 escalation, §8 defaults). None of them is published as a firm rule for shipped goods,
so whatever is built from them must hedge and point at the countdown on the refund page.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

# §8 `complaint_available_after_refund_days: 3` (LIKELY, one translated source): the
# complaint / 申请客服介入 entry is expected on the refund page about this long after
# 申请退款. The seller's own answer window (§8 `default_response_hours: 24`) is only
# sourced for unshipped orders, so the follow-up is timed by the complaint delay instead.
SELLER_RESPONSE_DAYS = 3
# The reminder that comes back to an open refund once the seller has had time to answer.
FOLLOWUP_REMINDER_KIND = "dispute_followup"
# The refund-creation API takes a 2–150 character reason and 1–5 images (§1.1).
REFUND_NOTE_MIN_CHARS = 2
REFUND_NOTE_MAX_CHARS = 150
MAX_EVIDENCE_IMAGES = 5
# Telegram's copy-text button holds at most 256 characters.
COPYABLE_MAX_CHARS = 256
DEFAULT_PACKAGING_ALLOWANCE = 0.1


class Reason(StrEnum):
    NOT_RECEIVED = "not_received"
    MISSING_ITEMS = "missing_items"
    EMPTY_PARCEL = "empty_parcel"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    QUALITY = "quality"
    DAMAGED = "damaged"


@dataclass(frozen=True)
class ReasonInfo:
    """How a reason appears on 1688's refund form and what the buyer writes with it."""

    zh: str  # the option to pick; 1688 may word it slightly differently
    note_zh: str  # the refund description (退款说明), without any weight figures
    weight_tells: bool  # a scale reading can prove this one


REASONS: dict[Reason, ReasonInfo] = {
    # The notes claim no particular evidence: the buyer attaches whatever they have.
    Reason.NOT_RECEIVED: ReasonInfo(
        "未收到货",
        "我方仓库至今没有收到这批货，物流信息和实际情况对不上。请核实物流并办理退款，谢谢。",
        weight_tells=False,
    ),
    Reason.MISSING_ITEMS: ReasonInfo(
        "少件/漏发",
        "货到仓库后开箱清点，实收数量比订单少。凭证见附件，请按缺少的数量退款。",
        weight_tells=True,
    ),
    Reason.EMPTY_PARCEL: ReasonInfo(
        "空包裹",
        "仓库收到的包裹里没有订单商品，只有填充物。凭证见附件，请办理退款。",
        weight_tells=True,
    ),
    Reason.WRONG_ITEM: ReasonInfo(
        "发错货",
        "收到的款式或规格和订单不一样。凭证见附件，请办理退款。",
        weight_tells=False,
    ),
    Reason.NOT_AS_DESCRIBED: ReasonInfo(
        "与描述不符",
        "收到的商品和商品页面以及旺旺里确认过的规格不一致。凭证见附件，请办理退款。",
        weight_tells=False,
    ),
    Reason.QUALITY: ReasonInfo(
        "质量问题",
        "商品有明显的质量问题，无法正常使用。凭证见附件，请办理退款。",
        weight_tells=False,
    ),
    Reason.DAMAGED: ReasonInfo(
        "破损",
        "货物到仓库开箱时已经破损。凭证见附件，请办理退款。",
        weight_tells=False,
    ),
}
NOTE_WITHOUT_REASON_ZH = "收到的货物有问题，凭证见附件，请核实后办理退款，谢谢。"


class Evidence(StrEnum):
    CHAT = "chat"
    VIDEO = "video"
    PHOTOS = "photos"
    WEIGHT = "weight"


# In the order they are asked for; the Chinese names are what 1688's staff call them.
EVIDENCE_ZH: dict[Evidence, str] = {
    Evidence.CHAT: "旺旺聊天记录",
    Evidence.VIDEO: "开箱视频",
    Evidence.PHOTOS: "照片",
    Evidence.WEIGHT: "面单称重",
}


class Step(StrEnum):
    """The walkthrough, in order."""

    REFUND = "refund"  # 申请退款 first: an open request pauses the auto-confirm clock
    EVIDENCE = "evidence"
    KEEP_OPEN = "keep_open"  # never 撤销退款申请 on a promise to reship
    ESCALATE = "escalate"  # 申请客服介入 once the seller's window has passed
    FOLLOW_UP = "follow_up"


STEPS: tuple[Step, ...] = tuple(Step)
# The button on 1688 each step is about (KEEP_OPEN names the one *not* to press).
PLATFORM_BUTTONS_ZH: dict[Step, str] = {
    Step.REFUND: "申请退款",
    Step.EVIDENCE: "上传凭证",
    Step.KEEP_OPEN: "撤销退款申请",
    Step.ESCALATE: "申请客服介入",
    Step.FOLLOW_UP: "查看退款详情",
}

# Texts for the seller (on 旺旺) or for the platform; polite, factual, short.
_MESSAGES_ZH: dict[Step, str] = {
    Step.REFUND: "您好，这笔订单的货有问题，我已经在平台上申请了退款，原因和证据都写在退款申请里，"
    "麻烦您在退款页面处理一下，谢谢。",
    Step.EVIDENCE: "您好，相关凭证已经上传到退款申请里了，请您查看；如果需要补充材料，请告诉我。",
    Step.KEEP_OPEN: "谢谢您愿意补发。补发的货到仓库并且核对无误之前，这笔退款申请我会先保留，"
    "核对没问题后我马上处理，请理解。",
    Step.ESCALATE: "卖家没有在规定时间内处理退款申请（或不同意合理的退款），现在申请平台介入。"
    "证据已经上传，请帮忙核实处理，谢谢。",
    Step.FOLLOW_UP: "您好，想问一下这笔退款申请现在处理到哪一步了？麻烦您尽快回复，谢谢。",
}


def message_zh(step: Step) -> str:
    """The Chinese text to copy for a step: to the seller, or into the platform's form."""
    return _MESSAGES_ZH[step]


# -- the weight check ----------------------------------------------------------------------

Verdict = Literal["consistent", "light", "heavy"]


@dataclass(frozen=True)
class WeightCheck:
    """The courier receipt's weight against what the ordered goods alone should weigh."""

    expected_kg: float
    actual_kg: float
    difference_kg: float  # actual − expected: negative when the parcel is lighter
    difference_pct: float  # of the expected weight
    verdict: Verdict
    missing_units: int  # how many units the shortfall weighs, when light; else 0

    @property
    def short_shipment(self) -> bool:
        """Lighter than the goods alone, beyond the allowance: objective proof to upload."""
        return self.verdict == "light"


def weight_check(
    quantity: int,
    unit_weight_g: float,
    receipt_weight_kg: float,
    packaging_allowance: float = DEFAULT_PACKAGING_ALLOWANCE,
) -> WeightCheck:
    """Compare the receipt with quantity × unit weight.

    The allowance is a fraction of the expected weight either way: listing weights are
    rounded and the receipt includes cartons. A receipt lighter than that band cannot be
    explained by packaging (which only adds weight), so it flags a short shipment.
    """
    if quantity <= 0 or unit_weight_g <= 0 or receipt_weight_kg <= 0:
        raise ValueError("quantity and both weights must be positive")
    if not 0 <= packaging_allowance < 1:
        raise ValueError("packaging_allowance is a fraction between 0 and 1")
    expected = quantity * unit_weight_g / 1000
    difference = receipt_weight_kg - expected
    verdict: Verdict = "consistent"
    if receipt_weight_kg < expected * (1 - packaging_allowance):
        verdict = "light"
    elif receipt_weight_kg > expected * (1 + packaging_allowance):
        verdict = "heavy"
    missing = int(-difference * 1000 // unit_weight_g) if verdict == "light" else 0
    return WeightCheck(
        expected_kg=expected,
        actual_kg=receipt_weight_kg,
        difference_kg=difference,
        difference_pct=difference / expected * 100,
        verdict=verdict,
        missing_units=min(missing, quantity),
    )


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
MAX_QUANTITY = 10_000_000


def parse_weight_input(text: str) -> tuple[int, float, float] | None:
    """`500, 120, 52.3` (also `500 pcs 120 g 52.3 kg`, `500，120，52.3`) as quantity, unit
    weight in grams and receipt weight in kg; None unless exactly three usable numbers.

    A decimal comma (`52,3`) reads as two numbers and is refused rather than guessed."""
    numbers = _NUMBER.findall(text.replace("．", "."))
    if len(numbers) != 3:
        return None
    quantity_text, unit_text, receipt_text = numbers
    if "." in quantity_text:
        return None
    quantity, unit, receipt = int(quantity_text), float(unit_text), float(receipt_text)
    if not 0 < quantity <= MAX_QUANTITY or unit <= 0 or receipt <= 0:
        return None
    return quantity, unit, receipt


def weight_line_zh(check: WeightCheck) -> str:
    """One line of figures for the refund note or the complaint."""
    line = f"称重：应约{check.expected_kg:.1f}kg，面单{check.actual_kg:.1f}kg"
    if check.short_shipment:
        line += f"，少{-check.difference_kg:.1f}kg（约{-check.difference_pct:.0f}%）"
        if check.missing_units:
            line += f"，约合{check.missing_units}件"
    return line + "。"


# -- texts to copy ---------------------------------------------------------------------------


def refund_note_zh(reason: Reason | None, weight: WeightCheck | None = None) -> str:
    """The refund description (退款说明), within the form's 150 characters."""
    note = REASONS[reason].note_zh if reason else NOTE_WITHOUT_REASON_ZH
    if weight is not None and weight.short_shipment:
        note += weight_line_zh(weight)
    return note[:REFUND_NOTE_MAX_CHARS]


# What a flagged logistics trace shows, as the platform's staff would write it.
LOGISTICS_FLAGS_ZH: dict[str, str] = {
    "signed_outside_warehouse_city": "签收城市与收货仓库不符",
    "signed_by_proxy": "包裹被他人代签",
    "signed_at_locker_or_station": "包裹被放入快递柜或驿站",
    "signed_too_fast": "从外地发出后不到12小时即显示签收",
    "no_movement": "物流超过3天没有更新",
    "signed_before_shipped": "签收时间早于发货时间（疑似虚假发货）",
}


def evidence_pack(
    *,
    reason: Reason | None,
    evidence: Collection[Evidence],
    weight: WeightCheck | None = None,
    order_number: str | None = None,
    refund_requested: bool = False,
    logistics_flags: Collection[str] = (),
) -> str:
    """The case in Chinese, to paste when clicking 申请客服介入 / 投诉.

    Only what the buyer confirmed is claimed: evidence not ticked is not listed."""
    items = set(evidence) | ({Evidence.WEIGHT} if weight else set())
    lines = []
    if order_number:
        lines.append(f"订单号：{order_number[:32]}")
    lines.append(f"问题：{REASONS[reason].zh}" if reason else "问题：收到的货物有问题")
    if refund_requested:
        lines.append("已申请退款，卖家未妥善处理，现申请平台介入。")
    else:
        lines.append("现申请平台介入。")
    if items:
        names = "、".join(EVIDENCE_ZH[item] for item in Evidence if item in items)
        lines.append(f"证据：{names}（已上传）")
    if weight is not None:
        lines.append(weight_line_zh(weight))
    shown = [LOGISTICS_FLAGS_ZH[code] for code in LOGISTICS_FLAGS_ZH if code in logistics_flags]
    if shown:
        lines.append(f"物流异常：{'；'.join(shown)}（物流截图已上传）")
    lines.append("请核实证据并支持退款，谢谢。")
    return "\n".join(lines)[:COPYABLE_MAX_CHARS]


def followup_due(refund_requested_at: datetime, days: float = SELLER_RESPONSE_DAYS) -> datetime:
    """When to look at the seller's answer and, if needed, click 申请客服介入."""
    return refund_requested_at + timedelta(days=days)
