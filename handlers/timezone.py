"""/timezone: where the user lives, so every deadline shows in their time and Beijing's.

See timezone.mmd for the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AnyHandler, BotContext
from bot.domain.masking import mask_private_numbers
from bot.domain.timezones import (
    BEIJING,
    TimezoneChoice,
    display_name,
    format_local,
    parse_timezone,
    utc_offset_label,
)
from handlers import routes
from handlers.conversation import StoredConversation
from handlers.guided import (
    Answer,
    Choice,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Outcome,
    Problem,
    Question,
    Turn,
)
from handlers.keyboards import menu_button
from handlers.replies import acknowledge, replace_or_reply
from handlers.routes import MENU

# Where most of our users buy from or live; anything else is typed. Labels: tz_city_<zone>.
SUGGESTED_ZONES = (
    "Asia/Shanghai",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Dubai",
    "Asia/Almaty",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
)


def _prompt(turn: Turn) -> str:
    stored = turn.context.state.timezone or turn.context.settings.default_timezone
    return turn.text("timezone_prompt", current=display_name(stored, turn.context.clock.now()))


def _cities(turn: Turn) -> list[Choice]:
    return [Choice(zone, turn.text(f"tz_city_{zone}")) for zone in SUGGESTED_ZONES]


async def _typed_zone(turn: Turn, text: str) -> Outcome:
    choice = parse_timezone(text)
    if choice is None:
        shown = mask_private_numbers(text if len(text) <= 64 else text[:61] + "…")
        return Problem(turn.text("timezone_unknown", text=shown))
    return Answer(choice.name)


async def ask_timezone(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    turn = FLOW.turn(update, context, FlowState())
    typed = " ".join(context.args or []) if update.message else ""
    if not typed:
        return await FLOW.ask_next(turn)
    return await _answer(turn, await _typed_zone(turn, typed))


async def _answer(turn: Turn, outcome: Outcome) -> int:
    question = FLOW.questions[0]
    if isinstance(outcome, Answer):
        return await FLOW.record(turn, question, outcome.value)
    if isinstance(outcome, Problem):
        await FLOW.say_again(turn, question, outcome.text)
    return FLOW.waiting(turn, question.code)


async def _zone_chosen(turn: Turn, lead: str) -> None:
    # A zone a button offered, or a typed one parse_timezone already read.
    name, user = turn.state.answer("zone"), turn.update.effective_user
    if not isinstance(name, str) or user is None:
        return
    choice = TimezoneChoice(name)
    # Quiet hours are in the user's own time, so their reminders move with the zone.
    await turn.context.services.users.set_timezone(user.id, choice.name)
    turn.context.state.timezone = choice.name
    confirmation = _confirmation(turn.context, choice)
    await replace_or_reply(turn.update, confirmation, menu_button(turn.language))


def _confirmation(context: BotContext, choice: TimezoneChoice) -> str:
    now = context.clock.now()
    zone = choice.tzinfo()
    return context.text(
        "timezone_set",
        zone=display_name(choice.name, now),
        offset=utc_offset_label(zone, now),
        local=format_local(now, zone, context.language),
        beijing=format_local(now, BEIJING, context.language),
    )


FLOW = GuidedFlow(
    name="timezone",
    route=routes.TIMEZONE,
    questions=(
        Question(
            "zone",
            _prompt,
            choices=_cities,
            row_sizes=(2, 2, 2, 2, 2),
            typed=_typed_zone,
            skippable=False,
            repeat_prompt=False,
        ),
    ),
    texts=FlowTexts(stale="button_expired_alert", use_buttons="timezone_not_text"),
    finish=_zone_chosen,
    idle=timedelta(minutes=15),
)


def conversation(fallbacks: Sequence[AnyHandler]) -> StoredConversation:
    """The /timezone conversation; `fallbacks` are the ways out (commands, menu buttons)."""
    return FLOW.conversation(
        entry_points=[
            CommandHandler("timezone", ask_timezone),
            CallbackQueryHandler(ask_timezone, pattern=MENU.exact("timezone")),
        ],
        fallbacks=fallbacks,
    )
