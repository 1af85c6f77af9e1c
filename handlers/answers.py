"""Free questions ("how do I use 延长收货?") answered from the project's own guides.

The best-matching guide section is the answer; the next two matches become "read more"
buttons, and one more button opens the whole guide to page through section by section.
"""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.assist.answers import GroundedAnswer, answer_from_guides
from bot.assist.guides import Guide, Section, knowledge_base, looks_like_question
from bot.context import AnyHandler, BotContext
from bot.domain.links.classify import find_links
from bot.domain.payments.checker import Verdict, classify_payment
from bot.render.model_text import cap_model_text, model_text_html
from handlers import routes
from handlers.callback_data import CallbackRoute, parse_number
from handlers.keyboards import main_menu
from handlers.replies import (
    acknowledge,
    assistant_note,
    replace_or_reply,
    reply,
)
from handlers.routes import MENU

# kb|<guide>|<section index>: open a section in a new message, so the answer stays.

# Room for the section itself; the title lines and footer stay well under Telegram's 4096.
MAX_BODY_CHARS = 3500
# Clients cut long labels anyway; past this they would show only the start of a title.
MAX_BUTTON_CHARS = 64
_MORE_RESULTS = 2
# The model's answer, before escaping: escaped, labelled and with its sources it stays
# one message (escaping can lengthen it: "&" is "&amp;", and addresses gain <code>).
MAX_MODEL_ANSWER = 2000

# Verdicts on which the payment checker has something specific to say about the message.
_PAYMENT_VERDICTS = frozenset({Verdict.HIGH_RISK, Verdict.CONDITIONAL})


class _Question(filters.MessageFilter):
    """A question for the guides, and not something another flow checks better: a message
    with a link goes to the link checker, a risky payment request to the payment checker."""

    def filter(self, message: Message) -> bool:
        text = message.text or ""
        return (
            looks_like_question(text)
            and not find_links(text)
            and classify_payment(text).verdict not in _PAYMENT_VERDICTS
        )


QUESTION = _Question(name="Question")


async def answer_question(update: Update, context: BotContext) -> None:
    message = update.effective_message
    question = (message.text if message is not None else None) or ""
    found = knowledge_base().search(question, context.language, limit=1 + _MORE_RESULTS)
    if not found:
        # Nothing in the guides to ground an answer on: the model is not asked either.
        await reply(update, context.text("kb_no_match"), main_menu(context.language))
        return
    best, more = found[0], found[1:]
    note = None
    if context.services.llm is not None and message is not None:
        await message.reply_chat_action(ChatAction.TYPING)
        result = await answer_from_guides(
            context.services.llm,
            question,
            found,
            language=context.language,
            user_id=update.effective_user.id if update.effective_user else None,
        )
        if result.answer is not None:
            await _reply_with_model_answer(update, context, result.answer)
            return
        if result.not_covered:
            keyboard = _answer_keyboard(best, found, context)
            await reply(update, context.text("kb_ai_not_covered"), keyboard)
            return
        note = assistant_note(context, result.miss)
    text = _answer_text(best, context)
    await reply(
        update, f"{text}\n\n{note}" if note else text, _answer_keyboard(best, more, context)
    )


async def _reply_with_model_answer(
    update: Update, context: BotContext, answer: GroundedAnswer
) -> None:
    kb = knowledge_base()
    titles = []
    for section in answer.sources:
        guide = kb.guide(section.guide, context.language)
        titles.append(f"“{guide.title if guide else section.guide}” › {section.title}")
    # One message, whatever the model wrote: its words are normalised and capped, and
    # the reader is told when they were cut (the buttons open the full sections).
    text, shortened = cap_model_text(answer.text, MAX_MODEL_ANSWER)
    body = f"{context.text('llm_label')}\n\n{model_text_html(text)}"
    if shortened:
        body += "\n" + context.text("llm_shortened")
    sources = context.text("kb_ai_sources", sources="; ".join(titles))
    best = answer.sources[0]
    await reply(
        update, f"{body}\n\n{sources}", _answer_keyboard(best, list(answer.sources), context)
    )


async def open_section(update: Update, context: BotContext) -> None:
    """A "read more" or "whole guide" button: the section as a new message."""
    await _show_page(update, context, routes.GUIDE, in_place=False)


async def turn_page(update: Update, context: BotContext) -> None:
    """Previous / next inside a guide: the same message shows the other section."""
    await _show_page(update, context, routes.GUIDE_PAGE, in_place=True)


async def _show_page(
    update: Update, context: BotContext, route: CallbackRoute, *, in_place: bool
) -> None:
    query = update.callback_query
    parts = route.unpack(query.data if query else None)
    guide = knowledge_base().guide(parts[0], context.language) if parts else None
    number = parse_number(parts[1]) if parts else None
    index = -1 if number is None else number
    if guide is None or not 0 <= index < len(guide.sections):
        # An old keyboard after the guides changed, or data a modified client made up.
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return
    await acknowledge(update, context)
    text, keyboard = _page_text(guide, index, context), _page_keyboard(guide, index, context)
    if in_place:
        await replace_or_reply(update, text, keyboard)
    else:
        await reply(update, text, keyboard)


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------


def _answer_text(section: Section, context: BotContext) -> str:
    guide = knowledge_base().guide(section.guide, context.language)
    return "\n\n".join(
        [
            f"📘 <b>{html.escape(section.title)}</b>",
            section_html(section.text),
            context.text("kb_source", guide=guide.title if guide else section.guide),
        ]
    )


def _answer_keyboard(
    best: Section, more: list[Section], context: BotContext
) -> InlineKeyboardMarkup:
    kb = knowledge_base()
    rows = []
    for section in more:
        guide = kb.guide(section.guide, context.language)
        if guide is not None:
            label = _short(f"📖 {section.title}")
            data = routes.GUIDE.pack(guide.name, guide.position(section.anchor))
            rows.append([InlineKeyboardButton(label, callback_data=data)])
    best_guide = kb.guide(best.guide, context.language)
    if best_guide is not None:
        # Button labels are plain text: the title is added after the (escaping) catalogue.
        label = _short(f"{context.text('kb_btn_whole_guide')} {best_guide.title}")
        rows.append(
            [InlineKeyboardButton(label, callback_data=routes.GUIDE.pack(best_guide.name, 0))]
        )
    return InlineKeyboardMarkup(rows)


def _page_text(guide: Guide, index: int, context: BotContext) -> str:
    section = guide.sections[index]
    header = context.text(
        "kb_page_header", guide=guide.title, number=index + 1, total=len(guide.sections)
    )
    return "\n\n".join(
        [header, f"<b>{html.escape(section.title)}</b>", section_html(section.text)]
    )


def _page_keyboard(guide: Guide, index: int, context: BotContext) -> InlineKeyboardMarkup:
    turns = []
    if index > 0:
        previous = context.text("kb_btn_previous")
        turns.append(
            InlineKeyboardButton(
                previous, callback_data=routes.GUIDE_PAGE.pack(guide.name, index - 1)
            )
        )
    if index + 1 < len(guide.sections):
        following = context.text("kb_btn_next")
        turns.append(
            InlineKeyboardButton(
                following, callback_data=routes.GUIDE_PAGE.pack(guide.name, index + 1)
            )
        )
    menu = InlineKeyboardButton(context.text("btn_menu"), callback_data=MENU.pack("show"))
    return InlineKeyboardMarkup([turns, [menu]] if turns else [[menu]])


def _short(label: str) -> str:
    if len(label) <= MAX_BUTTON_CHARS:
        return label
    return label[: MAX_BUTTON_CHARS - 1].rstrip() + "…"


_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def section_html(markdown: str, limit: int = MAX_BODY_CHARS) -> str:
    """A guide section's Markdown as Telegram HTML: bullets, **bold**, `code`; trimmed."""
    lines = []
    for line in trim_text(markdown, limit).splitlines():
        escaped = html.escape(line, quote=False)
        escaped = _BOLD.sub(r"<b>\1</b>", escaped)
        escaped = _CODE.sub(r"<code>\1</code>", escaped)
        if escaped.startswith(("- ", "* ")):
            escaped = "• " + escaped[2:]
        lines.append(escaped)
    return "\n".join(lines)


def trim_text(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters: whole paragraphs while they fit, then as
    much of the next one as ends a sentence (or a word), marked with an ellipsis."""
    if len(text) <= limit:
        return text
    budget = limit - 1  # the ellipsis
    kept: list[str] = []
    used = 0
    for paragraph in text.split("\n\n"):
        gap = 2 if kept else 0
        if used + gap + len(paragraph) > budget:
            piece = _cut(paragraph, budget - used - gap)
            if piece:
                kept.append(piece)
            break
        kept.append(paragraph)
        used += gap + len(paragraph)
    return "\n\n".join(kept).rstrip() + "…"


def _cut(paragraph: str, room: int) -> str:
    head = paragraph[: max(room, 0)]
    # A sentence or bullet end reads best, unless it would drop most of what fits.
    end = max(head.rfind(". "), head.rfind("\n"))
    if end >= len(head) // 3:
        return head[: end + 1].rstrip()
    space = head.rfind(" ")
    return head[:space].rstrip() if space > 0 else head


_FRESH_TEXT = filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED & ~filters.UpdateType.EDITED

HANDLERS: list[AnyHandler] = [
    MessageHandler(_FRESH_TEXT & QUESTION, answer_question),
    CallbackQueryHandler(open_section, pattern=routes.GUIDE.pattern),
    CallbackQueryHandler(turn_page, pattern=routes.GUIDE_PAGE.pattern),
]
