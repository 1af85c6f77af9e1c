"""/ip: is this listing a copy of a brand? The title or description goes to check_listing.

`/ip <text>` answers at once; `/ip` alone (or the menu button) waits for the paste.
See ip.mmd for the flow.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import AnyHandler, BotContext
from bot.domain.counterfeits import IpCheck, check_listing
from bot.render.i18n import Html, translate
from bot.runtime.persistence import StoredConversation
from handlers.keyboards import menu_button
from handlers.replies import acknowledge, replace_or_reply, reply
from handlers.routes import MENU

WAITING = 1
# Evidence is quoted from the listing; a long quote would drown the advice.
MAX_QUOTE = 60
_FRESH = ~filters.UpdateType.EDITED


async def ip_command(update: Update, context: BotContext) -> int:
    message = update.effective_message
    typed = (message.text or "").partition(" ")[2].strip() if message else ""
    if not typed:
        await reply(update, context.text("ipchk_prompt"))
        return WAITING
    await _check(update, context, typed)
    return ConversationHandler.END


async def from_menu(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    await replace_or_reply(update, context.text("ipchk_prompt"))
    return WAITING


async def listing_pasted(update: Update, context: BotContext) -> int:
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    if not text.strip():
        await reply(update, context.text("ipchk_prompt"))
        return WAITING
    await _check(update, context, text)
    return ConversationHandler.END


async def not_text(update: Update, context: BotContext) -> int:
    # Pictures need a reverse image search, which the bot cannot do offline.
    await reply(update, context.text("ipchk_not_text"))
    return WAITING


async def _check(update: Update, context: BotContext, text: str) -> None:
    await reply(
        update, render_check(check_listing(text), context.language), menu_button(context.language)
    )


def render_check(check: IpCheck, language: str) -> str:
    parts = [
        translate(language, "ipchk_title"),
        translate(language, f"ip_risk_{check.risk.value}"),
    ]
    if check.brands:
        parts.append(translate(language, "ipchk_brands", brands=", ".join(check.brands)))
    if check.flags:
        found = [
            translate(
                language,
                "ipchk_flag",
                flag=Html(translate(language, f"ip_flag_{flag.code}")),
                evidence=flag.evidence[:MAX_QUOTE],
            )
            for flag in check.flags
        ]
        parts.append("\n".join([translate(language, "ipchk_flags_title"), *found]))
    else:
        parts.append(translate(language, "ipchk_no_flags"))
    steps = [
        f"{number}. {translate(language, f'ip_advice_{code}')}"
        for number, code in enumerate(check.advice, start=1)
    ]
    parts.append("\n".join([translate(language, "ipchk_advice_title"), *steps]))
    if "licence_letter" in check.advice:
        parts.append(translate(language, "ipchk_licence_hint"))
    parts.append(translate(language, "ipchk_footer"))
    return "\n\n".join(parts)


def conversation(fallbacks: list[AnyHandler]) -> StoredConversation:
    entry_points: list[AnyHandler] = [
        CommandHandler("ip", ip_command),
        CallbackQueryHandler(from_menu, pattern=MENU.exact("ip")),
    ]
    waiting: list[AnyHandler] = [
        MessageHandler(
            (filters.TEXT | filters.CAPTION) & ~filters.COMMAND & _FRESH, listing_pasted
        ),
        MessageHandler(~filters.COMMAND & _FRESH, not_text),
    ]
    return StoredConversation(
        name="ip_check",
        entry_points=entry_points,
        states={WAITING: waiting},
        fallbacks=fallbacks,
        idle_timeout=timedelta(minutes=15),
    )
