"""/quiet: hours in which reminders are moved earlier (never the last one before a deadline).

The hours come from a preset button, typed after the command (`/quiet 10pm to 6:30am`),
or typed as the answer to the prompt (`23-7`). /quiet is a one-question screen, not a
conversation, so the prompt leaves a note in the user's flow state; a range typed while
the note is fresh is the answer (TYPED_ANSWER, registered with the free-text handlers).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import AnyHandler, BotContext
from bot.domain.masking import mask_private_numbers
from bot.domain.quiet_ranges import QuietOff, QuietRange, parse_quiet_range
from handlers import fallback, routes
from handlers.replies import acknowledge, pressed_choice, replace_or_reply

PRESETS = ("22-8", "23-7", "0-8", "off")
# The note the prompt leaves in the user's flow state, and how long a typed range after
# it still counts as the answer.
_ASKED = "quiet"
_ANSWER_WINDOW = timedelta(minutes=15)


async def ask_quiet_hours(update: Update, context: BotContext) -> None:
    typed = " ".join(context.args or []) if update.message else ""
    if typed:
        parsed = parse_quiet_range(typed)
        if parsed is None:
            await replace_or_reply(
                update, context.text("quiet_bad", text=mask_private_numbers(typed[:40]))
            )
            return
        await _save(update, context, parsed)
        return
    rows = [
        [
            InlineKeyboardButton(
                context.text(f"quiet_preset_{p}"), callback_data=routes.QUIET_HOURS.pack(p)
            )
        ]
        for p in PRESETS
    ]
    context.state.flow[_ASKED] = {"asked_at": context.clock.now().isoformat()}
    await replace_or_reply(update, context.text("quiet_prompt"), InlineKeyboardMarkup(rows))


async def preset_pressed(update: Update, context: BotContext) -> None:
    choice = await pressed_choice(update, context, routes.QUIET_HOURS, PRESETS)
    if choice is None:
        return
    await acknowledge(update, context)
    parsed = parse_quiet_range(choice)
    if parsed is not None:
        await _save(update, context, parsed)


async def typed_answer(update: Update, context: BotContext) -> None:
    """A range typed after the /quiet prompt; anywhere else it is just unclear text."""
    message = update.effective_message
    parsed = parse_quiet_range(message.text or "") if message is not None else None
    if parsed is None or not _was_asked(context):
        await fallback.free_text(update, context)
        return
    await _save(update, context, parsed)


def _was_asked(context: BotContext) -> bool:
    note = context.state.flow.get(_ASKED)
    asked = note.get("asked_at") if isinstance(note, dict) else None
    try:
        when = datetime.fromisoformat(asked) if isinstance(asked, str) else None
    except ValueError:
        when = None
    return when is not None and context.clock.now() - when <= _ANSWER_WINDOW


async def _save(update: Update, context: BotContext, hours: QuietRange | QuietOff) -> None:
    user = update.effective_user
    if user is None:
        return
    context.state.flow.pop(_ASKED, None)
    if isinstance(hours, QuietOff):
        await context.services.users.set_quiet_hours(user.id, None)
        await replace_or_reply(update, context.text("quiet_off"))
        return
    await context.services.users.set_quiet_hours(user.id, (hours.start, hours.end))
    text = context.text("quiet_set", start=f"{hours.start:02d}:00", end=f"{hours.end:02d}:00")
    if hours.widened:
        text += "\n" + context.text("quiet_widened")
    await replace_or_reply(update, text)


# "no" or "0" typed anywhere else means something else; these only ever mean quiet hours.
_OFF_WORDS = frozenset({"off", "выкл", "выключить", "отключить", "关闭"})


class _LooksLikeRange(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        text = message.text or ""
        return (
            isinstance(parse_quiet_range(text), QuietRange)
            or text.strip().casefold() in _OFF_WORDS
        )


_FRESH_TEXT = filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED & ~filters.UpdateType.EDITED

HANDLERS: list[AnyHandler] = [
    CommandHandler("quiet", ask_quiet_hours),
    CallbackQueryHandler(preset_pressed, pattern=routes.QUIET_HOURS.pattern),
]
TYPED_ANSWER = MessageHandler(_FRESH_TEXT & _LooksLikeRange(name="QuietRange"), typed_answer)
