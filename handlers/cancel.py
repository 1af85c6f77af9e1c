"""/cancel, and the ways out of a conversation that every flow shares."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import AnyHandler, BotContext
from handlers.keyboards import main_menu
from handlers.replies import reply

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, object]]


async def cancel_outside_flow(update: Update, context: BotContext) -> None:
    await reply(update, context.text("cancel_nothing"), main_menu(context.language))


async def cancel_flow(update: Update, context: BotContext) -> int:
    context.state.flow.clear()
    await reply(update, context.text("cancel_done"), main_menu(context.language))
    return ConversationHandler.END


def leaving(callback: Callback) -> Callback:
    """Run another flow's handler and end the current conversation, so that a command or a
    menu button typed mid-flow does what it says instead of being read as an answer."""

    async def leave_then_run(update: Update, context: BotContext) -> int:
        context.state.flow.clear()
        await callback(update, context)
        return ConversationHandler.END

    return leave_then_run


def conversation_exits(handlers: Sequence[AnyHandler]) -> list[AnyHandler]:
    """Fallbacks for a conversation: /cancel plus a leaving copy of each global handler."""
    exits: list[AnyHandler] = [CommandHandler("cancel", cancel_flow)]
    for handler in handlers:
        if isinstance(handler, CommandHandler):
            exits.append(CommandHandler(handler.commands, leaving(handler.callback)))
        elif isinstance(handler, CallbackQueryHandler):
            exits.append(CallbackQueryHandler(leaving(handler.callback), pattern=handler.pattern))
        else:
            raise TypeError(f"no leaving copy for {handler!r}")
    return exits


CANCEL = CommandHandler("cancel", cancel_outside_flow)
