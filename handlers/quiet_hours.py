"""/quiet: hours in which reminders are moved earlier (never the last one before a deadline)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AnyHandler, BotContext
from bot.domain.masking import mask_private_numbers
from handlers import routes
from handlers.replies import acknowledge, pressed_choice, replace_or_reply

PRESETS = ("22-8", "23-7", "0-8", "off")
_RANGE = re.compile(r"^\s*(\d{1,2})(?::00)?\s*[-–—~到至]\s*(\d{1,2})(?::00)?\s*$")


def parse_quiet_hours(text: str) -> tuple[int, int] | str | None:
    """(from, to) hours, None for "off", or "bad" when the text is neither."""
    if text.strip().lower() in ("off", "none", "no", "0"):
        return None
    match = _RANGE.match(text)
    if match is None:
        return "bad"
    start, end = int(match[1]) % 24, int(match[2]) % 24
    return (start, end) if start != end else "bad"


async def ask_quiet_hours(update: Update, context: BotContext) -> None:
    typed = " ".join(context.args or []) if update.message else ""
    if typed:
        parsed = parse_quiet_hours(typed)
        if parsed == "bad":
            await replace_or_reply(
                update, context.text("quiet_bad", text=mask_private_numbers(typed[:40]))
            )
            return
        await _save(update, context, None if isinstance(parsed, str) else parsed)
        return
    rows = [
        [
            InlineKeyboardButton(
                context.text(f"quiet_preset_{p}"), callback_data=routes.QUIET_HOURS.pack(p)
            )
        ]
        for p in PRESETS
    ]
    await replace_or_reply(update, context.text("quiet_prompt"), InlineKeyboardMarkup(rows))


async def preset_pressed(update: Update, context: BotContext) -> None:
    choice = await pressed_choice(update, context, routes.QUIET_HOURS, PRESETS)
    if choice is None:
        return
    await acknowledge(update, context)
    parsed = parse_quiet_hours(choice)
    await _save(update, context, None if isinstance(parsed, str) else parsed)


async def _save(update: Update, context: BotContext, hours: tuple[int, int] | None) -> None:
    user = update.effective_user
    if user is None:
        return
    await context.services.users.set_quiet_hours(user.id, hours)
    if hours is None:
        await replace_or_reply(update, context.text("quiet_off"))
    else:
        text = context.text("quiet_set", start=f"{hours[0]:02d}:00", end=f"{hours[1]:02d}:00")
        await replace_or_reply(update, text)


HANDLERS: list[AnyHandler] = [
    CommandHandler("quiet", ask_quiet_hours),
    CallbackQueryHandler(preset_pressed, pattern=routes.QUIET_HOURS.pattern),
]
