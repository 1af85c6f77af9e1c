"""How a payment check is shown to a user: verdict badge, evidence, advice, Chinese reply.

Two forms (issue 17). The short form is the first message and fits one phone screen: the
verdict, at most three findings (one short quote each, a quote never twice), the one next
step and the Chinese reply. The details (`render_check`) hold every finding with its
explanation, all the advice and what was read from a picture; they are one tap away.
Shared by the Telegram handler and the command line, so both say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape

from bot.domain.masking import mask_numbers
from bot.domain.payments.checker import PaymentCheck, Signal, Verdict
from bot.render.i18n import Html, translate
from bot.render.phone_screen import COLLAPSED_QUOTE_LINES, ONE_SCREEN, columns, text_lines

MAX_SIGNALS_SHOWN = 6
MAX_QUOTE_CHARACTERS = 600
# The short form: findings shown, and how wide one quote may be (columns; Chinese counts 2).
MAX_SHORT_FINDINGS = 3
MAX_SHORT_QUOTE_COLUMNS = 30


def explanation_key(code: str) -> str:
    return f"pay_signal_{code}"


def advice_key(code: str) -> str:
    return f"pay_advice_{code}"


def short_key(code: str) -> str:
    return f"pay_short_{code}"


_TAG = re.compile(r"<[^>]+>")


def plain_text(markup: str) -> str:
    """A catalogue text without its HTML, for a prompt (the model writes plain text)."""
    return unescape(_TAG.sub("", markup))


def render_check(
    check: PaymentCheck,
    language: str,
    *,
    image_text: str | None = None,
    qr_payloads: Sequence[str] = (),
    shipping: bool = False,
) -> str:
    """The whole verdict message in Telegram HTML, well under 4,096 characters.

    A message with no payment in it gets no verdict and no Chinese reply: it is said not
    to look like a payment request, and a shipping notice is offered to /track."""
    parts: list[str] = []
    if image_text is not None or qr_payloads:
        parts.append(_image_quote(language, image_text or "", qr_payloads))
    if check.verdict is Verdict.UNCLEAR and not check.signals:
        parts.append(translate(language, "pay_not_a_request"))
        if shipping:
            parts.append(translate(language, "pay_offer_track"))
        return "\n\n".join(parts)
    parts.append(translate(language, f"pay_badge_{check.verdict.value}"))
    if check.signals:
        parts.append(_signals(check, language))
    if check.advice:
        parts.append(_advice(check, language))
    if check.decline_reply_zh and check.verdict not in (Verdict.APPROVED, Verdict.UNCLEAR):
        reply = Html(f"<code>{escape(check.decline_reply_zh, quote=False)}</code>")
        parts.append(translate(language, "pay_reply_title") + "\n" + reply.markup)
    return "\n\n".join(parts)


def _signals(check: PaymentCheck, language: str) -> str:
    lines = [translate(language, "pay_found")]
    quoted: set[str] = set()
    for signal in check.signals[:MAX_SIGNALS_SHOWN]:
        explanation = Html(translate(language, explanation_key(signal.code)))
        if signal.evidence.strip() and signal.evidence not in quoted:
            quoted.add(signal.evidence)
            line = translate(
                language, "pay_signal_line", evidence=signal.evidence, explanation=explanation
            )
        else:
            line = translate(language, "pay_signal_line_no_evidence", explanation=explanation)
        lines.append(line)
    hidden = len(check.signals) - MAX_SIGNALS_SHOWN
    if hidden > 0:
        lines.append(translate(language, "pay_more_signals", count=hidden))
    return "\n".join(lines)


def _advice(check: PaymentCheck, language: str) -> str:
    lines = [translate(language, "pay_todo")]
    for code in check.advice:
        advice = Html(translate(language, advice_key(code)))
        lines.append(translate(language, "pay_advice_line", advice=advice))
    return "\n".join(lines)


def _image_quote(language: str, text: str, qr_payloads: Sequence[str]) -> str:
    shown = mask_numbers(text.strip())
    if len(shown) > MAX_QUOTE_CHARACTERS:
        shown = shown[: MAX_QUOTE_CHARACTERS - 1] + "…"
    lines = [escape(shown, quote=False)] if shown else []
    lines += [translate(language, "pay_qr_found", payload=payload) for payload in qr_payloads]
    title = translate(language, "pay_read_from_image")
    body = "\n".join(lines)
    return f"{title}\n<blockquote expandable>{body}</blockquote>"


def render_short(
    check: PaymentCheck,
    language: str,
    *,
    button_rows: int = 0,
    lead: str = "",
    image_text: str | None = None,
    qr_payloads: Sequence[str] = (),
    shipping: bool = False,
) -> str:
    """The first message: verdict, findings, the next step and the reply, in one screen.

    `lead` goes first (the answer the buyer gave); what was read from a picture stays in a
    collapsed quote. Findings are dropped from the end until the message with its
    `button_rows` fits `ONE_SCREEN` lines."""
    image = ""
    if image_text is not None or qr_payloads:
        image = _image_quote(language, image_text or "", qr_payloads)
    lead = "\n\n".join(part for part in (lead, image) if part)
    if check.verdict is Verdict.UNCLEAR and not check.signals:
        parts = [lead] if lead else []
        return "\n\n".join([*parts, render_check(check, language, shipping=shipping)])
    groups = _grouped(check)
    for shown in range(min(MAX_SHORT_FINDINGS, len(groups)), -1, -1):
        text = _short(check, language, groups[:shown], lead=lead)
        if shown == 0 or _lines(text) + button_rows <= ONE_SCREEN:
            return text
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns at 0


def next_step(check: PaymentCheck) -> str | None:
    """The one piece of advice the short form shows: under a high risk, the way to pay
    safely; otherwise what the deciding finding says to do first."""
    if check.verdict is Verdict.HIGH_RISK and "pay_in_checkout" in check.advice:
        return "pay_in_checkout"
    return check.advice[0] if check.advice else None


def _grouped(check: PaymentCheck) -> list[tuple[str, list[str]]]:
    """Quote -> the codes it stands for, deciding findings first: each quote once."""
    ordered = sorted(check.signals, key=lambda signal: signal.verdict is not check.verdict)
    groups: dict[str, list[str]] = {}
    for signal in ordered:
        codes = groups.setdefault(_short_quote(signal), [])
        if signal.code not in codes:
            codes.append(signal.code)
    return list(groups.items())


def _short_quote(signal: Signal) -> str:
    quote = " ".join(signal.evidence.split())
    if columns(quote) <= MAX_SHORT_QUOTE_COLUMNS:
        return quote
    kept = ""
    for char in quote:
        if columns(kept + char) > MAX_SHORT_QUOTE_COLUMNS - 1:
            break
        kept += char
    return kept.rstrip() + "…"


def _short(
    check: PaymentCheck,
    language: str,
    groups: Sequence[tuple[str, list[str]]],
    *,
    lead: str,
) -> str:
    parts = [lead] if lead else []
    parts.append(translate(language, f"pay_badge_{check.verdict.value}"))
    lines = []
    for quote, codes in groups:
        labels = ", ".join(translate(language, short_key(code)) for code in codes)
        if quote:
            lines.append(
                translate(language, "pay_short_line", evidence=quote, labels=Html(labels))
            )
        else:
            lines.append(f"• {labels}")
    if lines:
        parts.append("\n".join(lines))
    step = next_step(check)
    if step is not None:
        parts.append("👉 " + translate(language, advice_key(step)))
    if check.decline_reply_zh and check.verdict not in (Verdict.APPROVED, Verdict.UNCLEAR):
        reply = Html(f"<code>{escape(check.decline_reply_zh, quote=False)}</code>")
        parts.append(translate(language, "pay_reply_title") + "\n" + reply.markup)
    return "\n\n".join(parts)


def _lines(markup: str) -> int:
    """Phone lines of a message in Telegram HTML; a collapsed quote shows three."""
    total = 0
    rest = markup
    while "<blockquote expandable>" in rest:
        before, _, after = rest.partition("<blockquote expandable>")
        _, _, rest = after.partition("</blockquote>")
        total += text_lines(plain_text(before).strip("\n")) + COLLAPSED_QUOTE_LINES
    return total + text_lines(plain_text(rest).strip("\n"))
