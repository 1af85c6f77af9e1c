"""register(application): the only place handlers are added, in the order they are tried.

A copy of an update handled before never gets here (the application drops it first, see
bot/runtime/delivery.py), and before any handler the application has remembered the user
and loaded where they are in a conversation (bot/runtime/users.py). The first matching
handler wins, so conversations come before the global commands they would otherwise
shadow, and the catch-all fallbacks come last.
"""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import Application

from bot.render.i18n import translate
from handlers import (
    admin,
    answers,
    cancel,
    disputes,
    errors,
    fallback,
    groups,
    ip,
    language,
    logistics,
    menu,
    orders,
    payments,
    privacy,
    quiet_hours,
    registration,
    spec,
    suppliers,
    timezone,
    warehouse,
)
from handlers.reminders import reminder_renderer

__all__ = ["bot_commands", "register", "reminder_renderer"]

# The commands shown in Telegram's menu, in this order.
COMMANDS = (
    "start",
    "track",
    "orders",
    "dispute",
    "pay",
    "check",
    "suppliers",
    "ip",
    "spec",
    "register",
    "help",
    "menu",
    "timezone",
    "warehouse",
    "quiet",
    "language",
    "privacy",
    "forgetme",
    "cancel",
)


def bot_commands(language_code: str) -> list[BotCommand]:
    return [BotCommand(name, translate(language_code, f"cmd_{name}")) for name in COMMANDS]


def register(application: Application) -> None:  # type: ignore[type-arg]
    # First in group 0, for admins only; deliberately not in COMMANDS (see handlers/admin.py).
    admin.register(application)
    groups.register(application)

    global_handlers = [
        *orders.ORDER_LIST,
        *suppliers.SAVED_CHECKS,
        menu.START,
        menu.HELP,
        menu.MENU_COMMAND,
        menu.MENU_BUTTONS,
        *language.HANDLERS,
        *privacy.HANDLERS,
        *quiet_hours.HANDLERS,
    ]
    flows = [
        registration.FLOW,
        spec.FLOW,
        ip.FLOW,
        timezone.FLOW,
        warehouse.FLOW,
        payments.FLOW,
        payments.ASK_FLOW,
        suppliers.FLOW,
        disputes.FLOW,
        orders.TRACK_FLOW,
        logistics.FLOW,
        *orders.QUESTION_BUTTONS.values(),
    ]
    exits = cancel.conversation_exits(global_handlers, flows)
    application.add_handlers(
        [
            # First: a link pasted into /register or a listing into /ip is an answer there,
            # not the start of a supplier check.
            registration.conversation(exits),
            spec.conversation(exits),
            ip.conversation(exits),
            timezone.conversation(exits),
            warehouse.conversation(exits),
            payments.conversation(exits),
            payments.ask_conversation(exits),
            suppliers.conversation(exits),
            # Before orders: the card's "Problem" button opens the dispute walkthrough.
            disputes.conversation(exits),
            # A logistics trace, before a pasted order page (which may quote the last event).
            logistics.conversation(exits),
            # Before /track: a countdown typed as the answer to Edit is not a new order.
            *orders.order_question_conversations(exits),
            # With a model configured, a pasted order page is read by the AI helper too.
            orders.conversation(exits),
            # The card's other buttons, after the flows: a reminder's +3d tapped in the
            # middle of /spec is answered without ending /spec.
            orders.CARD_BUTTONS,
        ]
    )

    # Questions before payment talk: "how do I pay safely?" wants a guide, not a verdict
    # (the question filter steps aside for text the payment checker finds risky).
    application.add_handlers(
        [*global_handlers, cancel.CANCEL, *answers.HANDLERS, *payments.UNPROMPTED]
    )
    fallback.register(application)
    application.add_error_handler(errors.on_error)
