"""/cancel, and the ways out of a conversation that every flow shares."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import AnyHandler, BotContext
from handlers.guided import GuidedFlow
from handlers.keyboards import main_menu
from handlers.replies import reply

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, object]]


async def cancel_outside_flow(update: Update, context: BotContext) -> None:
    await reply(update, context.text("cancel_nothing"), main_menu(context.language))


def cancelling(flows: Sequence[GuidedFlow]) -> Callback:
    """/cancel inside a flow: it stops, and says truthfully what stays recorded (a dispute
    has already paused the order's clock, say)."""

    async def cancel_flow(update: Update, context: BotContext) -> int:
        kept = [
            line
            for flow in flows
            if (state := flow.load(context)) is not None
            and (line := flow.recorded(flow.turn(update, context, state)))
        ]
        context.state.flow.clear()
        text = context.text("cancel_kept", what="; ".join(kept)) if kept else None
        await reply(update, text or context.text("cancel_done"), main_menu(context.language))
        return ConversationHandler.END

    return cancel_flow


def leaving(callback: Callback) -> Callback:
    """Run another flow's handler and end the current conversation, so that a command or a
    menu button typed mid-flow does what it says instead of being read as an answer."""

    async def leave_then_run(update: Update, context: BotContext) -> int:
        context.state.flow.clear()
        await callback(update, context)
        return ConversationHandler.END

    return leave_then_run


def conversation_exits(
    handlers: Sequence[AnyHandler], flows: Sequence[GuidedFlow]
) -> list[AnyHandler]:
    """Fallbacks for a conversation: /cancel plus a leaving copy of each global handler."""
    exits: list[AnyHandler] = [CommandHandler("cancel", cancelling(flows))]
    for handler in handlers:
        if isinstance(handler, CommandHandler):
            exits.append(CommandHandler(handler.commands, leaving(handler.callback)))
        elif isinstance(handler, CallbackQueryHandler):
            exits.append(CallbackQueryHandler(leaving(handler.callback), pattern=handler.pattern))
        else:
            raise TypeError(f"no leaving copy for {handler!r}")
    return exits


CANCEL = CommandHandler("cancel", cancel_outside_flow)
