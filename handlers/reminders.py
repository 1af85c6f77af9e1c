"""The words and buttons of a reminder, for the reminder engine (bot/reminders/engine.py).

An escrow reminder carries the order card's buttons, so it can be acted on where it is
read; a dispute follow-up leads back into the walk. None means the order no longer needs
the reminder, and the engine cancels it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup

from bot.clock import Clock
from bot.domain.escrow import reminders_stop
from bot.reminders.engine import ReminderRow, RenderedReminder, RenderReminder
from bot.render.i18n import translate
from bot.services.tracking import Tracking
from handlers import disputes
from handlers.orders import card_keyboard, deadline_lines, snooze_row

if TYPE_CHECKING:
    from bot.services.tracking import TrackedOrder as Order


def reminder_renderer(tracking: Tracking, clock: Clock) -> RenderReminder:
    """The engine's render callback: each reminder worded for the moment it is sent."""

    async def render(row: ReminderRow) -> RenderedReminder | None:
        subject = await tracking.reminder_subject(row.order_id, row.user_id)
        if subject.order is None:
            return None
        return render_reminder(row, subject.order, subject.language, subject.zone, clock.now())

    return render


def render_reminder(
    row: ReminderRow, order: Order, language: str, zone: tzinfo, now: datetime
) -> RenderedReminder | None:
    # A dispute follow-up comes while the refund has the clock paused.
    if row.kind == disputes.REMINDER_KIND:
        followup = disputes.render_dispute_reminder(order, row, language)
        if followup is None:
            return None
        return RenderedReminder(followup, disputes.dispute_reminder_keyboard(order, language))
    if reminders_stop(order.state) or order.pause_started_at:
        return None
    deadline = order.deadline_at or row.deadline_at
    kind = _reminder_kind(row.kind, deadline, now)
    text = translate(language, f"ord_reminder_{kind}", label=order.label)
    if deadline is not None and kind != "inspect":
        text += "\n\n" + deadline_lines(order, language, zone, now)
    text += "\n\n" + translate(language, f"ord_reminder_todo_{kind}")
    if row.in_doubt:
        text = translate(language, "ord_reminder_repeat") + "\n" + text
    return RenderedReminder(text, _reminder_keyboard(order, language))


def _reminder_kind(kind: str, deadline: datetime | None, now: datetime) -> str:
    if kind == "inspect":
        return "inspect"
    if deadline is not None and deadline <= now:
        return "passed"
    return "due"


def _reminder_keyboard(order: Order, language: str) -> InlineKeyboardMarkup:
    keyboard = list(card_keyboard(order, language).inline_keyboard)
    # Edit, close and delete stay on the card (its last row); a reminder offers what to
    # do now.
    return InlineKeyboardMarkup([*keyboard[:-1], snooze_row(order, language)])
