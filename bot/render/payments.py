"""How a payment check is shown to a user: verdict badge, evidence, advice, Chinese reply.

Shared by the Telegram handler and the command line, so both say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape

from bot.domain.masking import mask_numbers
from bot.domain.payments.checker import PaymentCheck, Verdict
from bot.render.i18n import Html, translate

MAX_SIGNALS_SHOWN = 6
MAX_QUOTE_CHARACTERS = 600


def explanation_key(code: str) -> str:
    return f"pay_signal_{code}"


def advice_key(code: str) -> str:
    return f"pay_advice_{code}"


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
    for signal in check.signals[:MAX_SIGNALS_SHOWN]:
        explanation = Html(translate(language, explanation_key(signal.code)))
        if signal.evidence.strip():
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
