"""/ip: is this listing a copy of a brand? The title or description goes to check_listing.

`/ip <text>` answers at once; `/ip` alone (or the menu button) waits for the paste.
See ip.mmd for the flow.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import AnyHandler, BotContext
from bot.domain.counterfeits import SELLER_REQUESTS_ZH, IpCheck, IpFlag, check_listing
from bot.render.i18n import Html, translate
from handlers.conversation import StoredConversation
from handlers.guided import (
    TYPED_TEXT_OR_CAPTION,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Handled,
    Outcome,
    Problem,
    Question,
    Turn,
    catalogue_prompt,
)
from handlers.keyboards import menu_button
from handlers.replies import acknowledge, reply
from handlers.routes import MENU

# Evidence is quoted from the listing; a long quote would drown the advice.
MAX_QUOTE = 60
# Findings on the first screen, each on a line of its own; the rest are one tap away.
KEY_FLAGS = 3
SHORT_QUOTE = 16


async def ip_command(update: Update, context: BotContext) -> int:
    message = update.effective_message
    typed = (message.text or "").partition(" ")[2].strip() if message else ""
    if not typed:
        return await FLOW.begin(update, context, FlowState())
    await _check(update, context, typed)
    return ConversationHandler.END


async def from_menu(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    return await FLOW.begin(update, context, FlowState())


async def _listing_pasted(turn: Turn, text: str) -> Outcome:
    if not text.strip():
        return Problem(turn.text("ipchk_prompt"))
    await _check(turn.update, turn.context, text)
    return Handled(ended=True)


async def _check(update: Update, context: BotContext, text: str) -> None:
    await reply(
        update, render_check(check_listing(text), context.language), menu_button(context.language)
    )


def render_check(check: IpCheck, language: str) -> str:
    """The verdict, the brands, at most three findings with one quote each, the first thing
    to do and the Chinese to ask the seller; every finding and step waits in a collapsed
    quote, so the answer fits a phone screen."""

    def text(key: str, **values: object) -> str:
        return translate(language, key, **values)

    head = [f"<b>{text(f'ip_risk_{check.risk.value}')}</b>"]
    if check.brands:
        head.append(text("ipchk_brands", brands=", ".join(check.brands)))
    parts = ["\n".join(head)]
    # With nothing found the verdict says so; the details repeat it.
    shown = check.key_flags[:KEY_FLAGS]
    if shown:
        found = [
            f"• <b>{text(f'ipchk_name_{flag.code}')}</b>: "
            + text("ipchk_quote", evidence=_quote(flag, SHORT_QUOTE))
            for flag in shown
        ]
        if len(check.flags) > len(shown):
            found.append(text("ipchk_more_flags", count=len(check.flags) - len(shown)))
        parts.append("\n".join(found))
    todo = [text("ipchk_next", advice=Html(text(f"ip_advice_{check.advice[0]}")))]
    if check.request is not None:
        todo.append(text("ipchk_request", chinese=SELLER_REQUESTS_ZH[check.request]))
    parts.append("\n".join(todo))
    parts.append(_details(check, language))
    return "\n\n".join(parts)


def _quote(flag: IpFlag, limit: int = MAX_QUOTE) -> str:
    evidence = flag.evidence
    return evidence if len(evidence) <= limit else evidence[: limit - 1] + "…"


def _details(check: IpCheck, language: str) -> str:
    parts = [translate(language, "ipchk_details_title")]
    if check.flags:
        found = [
            translate(
                language,
                "ipchk_flag",
                flag=Html(translate(language, f"ip_flag_{flag.code}")),
                evidence=_quote(flag),
            )
            for flag in check.key_flags
        ]
        parts.append("\n".join([translate(language, "ipchk_flags_title"), *found]))
    else:
        parts.append(translate(language, "ipchk_no_flags"))
    steps = [
        f"{number}. {translate(language, f'ip_advice_{code}')}"
        for number, code in enumerate(check.advice, start=1)
    ]
    parts.append("\n".join([translate(language, "ipchk_advice_title"), *steps]))
    if check.request is not None:
        meaning = translate(language, f"ipchk_request_{check.request}")
        parts.append(translate(language, "ipchk_request_meaning", meaning=Html(meaning)))
    if "licence_letter" in check.advice:
        parts.append(translate(language, "ipchk_licence_hint"))
    parts.append(translate(language, "ipchk_footer"))
    body = "\n\n".join(parts)
    return f"<blockquote expandable>{body}</blockquote>"


FLOW = GuidedFlow(
    name="ip_check",
    route=None,
    questions=(
        Question(
            "listing",
            catalogue_prompt("ipchk_prompt"),
            typed=_listing_pasted,
            skippable=False,
            repeat_prompt=False,
        ),
    ),
    # Pictures need a reverse image search, which the bot cannot do offline.
    texts=FlowTexts(stale="button_expired_alert", use_buttons="ipchk_not_text"),
    idle=timedelta(minutes=15),
    typed_filter=TYPED_TEXT_OR_CAPTION,
)


def conversation(fallbacks: list[AnyHandler]) -> StoredConversation:
    return FLOW.conversation(
        entry_points=[
            CommandHandler("ip", ip_command),
            CallbackQueryHandler(from_menu, pattern=MENU.exact("ip")),
        ],
        fallbacks=fallbacks,
    )
