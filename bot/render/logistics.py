"""A checked logistics trace as the user reads it: where and how the parcel was signed,
what does not add up (each with the trace line that shows it), the next step, and the
order's new deadline when the signing was recorded. Kept to one phone screen: the messages
for the seller and for 1688 sit behind a button."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from bot.domain.escrow import format_left
from bot.domain.logistics import Flag, FlagCode, SignedBy, Trace
from bot.domain.timezones import BEIJING, format_local
from bot.render.i18n import translate

# Columns of a quoted trace line: under two lines of a phone screen (38 columns each).
MAX_EVIDENCE = 70
# The flags that point at a fake or recycled shipment: the buyer must not confirm receipt.
_FRAUD = {
    FlagCode.SIGNED_OUTSIDE_WAREHOUSE_CITY,
    FlagCode.SIGNED_BEFORE_SHIPPED,
    FlagCode.SIGNED_TOO_FAST,
}


def render_parcel_check(
    trace: Trace,
    flags: tuple[Flag, ...],
    *,
    language: str,
    now: datetime,
    has_warehouse: bool,
    order_label: str | None = None,
    new_deadline: datetime | None = None,
) -> str:
    """`new_deadline`: the order's deadline after the signing was recorded just now."""

    def text(key: str, **values: object) -> str:
        return translate(language, key, **values)

    if not trace.events:
        return text("trace_unreadable")
    carrier = trace.carrier.value if trace.carrier else text("trace_carrier_unknown")
    lines = [text("trace_title", carrier=carrier, number=trace.tracking_no or "—")]
    if trace.signed and trace.signed_at is not None:
        by = trace.signed_by
        how = text(f"trace_by_{by.value}") if by and by is not SignedBy.RECIPIENT else ""
        lines.append(
            text(
                "trace_signed",
                when=format_local(trace.signed_at, BEIJING, language),
                city=trace.signed_city or "?",
                how=how,
            )
        )
    elif trace.last_event is not None:
        lines.append(
            text("trace_moving", when=format_local(trace.last_event.at, BEIJING, language))
        )
    if flags:
        lines += ["", text("trace_flags_title")]
        # Flags shown by the same trace line quote it once, under them all.
        for evidence, group in _by_evidence(flags):
            lines += [text(f"trace_flag_{flag.code.value}") for flag in group]
            lines.append(text("trace_evidence", quote=_shortened(evidence)))
        codes = {flag.code for flag in flags}
        step = "trace_next_fraud" if codes & _FRAUD else f"trace_next_{flags[0].code.value}"
        lines += ["", text(step)]
    else:
        lines += ["", text("trace_clean" if trace.signed else "trace_clean_moving")]
    if order_label is not None and new_deadline is not None:
        lines.append(
            text(
                "trace_deadline_now",
                label=order_label,
                when=format_local(new_deadline, BEIJING, language),
                left=format_left(new_deadline - now, language),
            )
        )
    elif order_label is not None:
        lines.append(text("trace_linked", label=order_label))
    if not has_warehouse:
        lines.append(text("trace_no_warehouse"))
    return "\n".join(lines)


def _by_evidence(flags: tuple[Flag, ...]) -> list[tuple[str, list[Flag]]]:
    groups: dict[str, list[Flag]] = {}
    for flag in flags:
        groups.setdefault(flag.evidence, []).append(flag)
    return list(groups.items())


def _shortened(evidence: str) -> str:
    """At most MAX_EVIDENCE columns on a phone (a CJK character takes two)."""
    shown: list[str] = []
    columns = 0
    for char in evidence:
        columns += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if columns > MAX_EVIDENCE:
            return "".join(shown).rstrip(" ,，") + "…"
        shown.append(char)
    return evidence


# -- a followed parcel (Kuaidi100): what is new, sent on the bot's own ------------------------


def render_followed_flags(
    flags: tuple[Flag, ...],
    *,
    language: str,
    label: str,
    number: str | None,
    deadline: datetime | None,
) -> str:
    """Flags that newly appeared on a followed parcel, each with the line that shows it."""

    def text(key: str, **values: object) -> str:
        return translate(language, key, **values)

    lines = [text("follow_flags_title", label=label, number=number or "—")]
    for flag in flags:
        lines.append(text(f"trace_flag_{flag.code.value}"))
        lines.append(text("trace_evidence", quote=_shortened(flag.evidence)))
    codes = {flag.code for flag in flags}
    if codes & _FRAUD:
        step = text("trace_next_fraud")
    elif flags[0].code is FlagCode.NO_MOVEMENT and deadline is not None:
        step = text("follow_next_no_movement", when=format_local(deadline, BEIJING, language))
    else:
        step = text(f"trace_next_{flags[0].code.value}")
    return "\n".join([*lines, "", step])


def render_followed_signing(
    *, language: str, label: str, number: str | None, deadline: datetime, now: datetime
) -> str:
    return translate(
        language,
        "follow_signed",
        label=label,
        number=number or "—",
        when=format_local(deadline, BEIJING, language),
        left=format_left(deadline - now, language),
    )


def render_phone_needed(
    *, language: str, label: str, number: str | None, carrier: str | None
) -> str:
    return translate(
        language,
        "follow_phone_needed",
        label=label,
        number=number or "—",
        carrier=carrier or translate(language, "trace_carrier_unknown"),
    )
