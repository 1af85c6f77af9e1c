"""Free questions ("how do I use 延长收货?") answered from the project's own guides.

A message about a problem with the goods ("20 pcs are missing", "не тот цвет", "少了")
goes straight to the dispute walkthrough's button: searching its words would find a
guide section at best, at worst nothing. Anything else asked is answered with the start
of the best-matching section, trimmed to one phone screen, the action button for its
topic (a disputes answer starts a dispute, an escrow answer tracks an order), "read on"
when it was trimmed, up to two related sections, and the whole guide to page through.
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
from bot.domain.problems import Problem, find_problem
from bot.render.model_text import cap_model_text, model_text_html
from bot.render.phone_screen import ONE_SCREEN, text_lines
from handlers import quiet_hours, routes
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

# The flow each guide's reader most likely wants next, as a main-menu item (its label is
# the menu's own). tests/e2e/test_answers.py fails on a guide without one.
GUIDE_ACTIONS = {
    "disputes": "dispute",
    "escrow-and-auto-confirm": "track",
    "forwarders-and-inspection": "track",
    "paying-safely": "pay",
    "links-and-phishing": "check",
    "supplier-checks": "check",
    "registration-and-account": "register",
    "specs-and-communication": "spec",
    "counterfeits-and-ip": "ip",
}
ACTION_LABELS = {
    "dispute": "btn_dispute",
    "track": "btn_track",
    "pay": "btn_check_payment",
    "check": "btn_check_supplier",
    "register": "btn_register",
    "spec": "btn_spec",
    "ip": "btn_ip",
}
# A related section from another guide must score close to the best one; from the same
# guide it is on topic anyway. Without this, "how do I extend receiving" offered the
# passport check, which shares a word or two with it.
_RELATED_SHARE = 0.75
_SEARCHED = 6


class _Question(filters.MessageFilter):
    """A question for the guides, or a problem with the goods told in the buyer's words,
    and not something another flow checks better: a message with a link goes to the link
    checker, a risky payment request to the payment checker."""

    def filter(self, message: Message) -> bool:
        text = message.text or ""
        return (
            (looks_like_question(text) or _is_problem(text))
            and not find_links(text)
            and classify_payment(text).verdict not in _PAYMENT_VERDICTS
        )


def _is_problem(text: str) -> bool:
    return len(text) <= MAX_PROBLEM_CHARS and find_problem(text) is not None


# Longer than this, a message is a paste (a chat log, an order page) that its own flow
# reads, even if it says "missing" somewhere.
MAX_PROBLEM_CHARS = 600


QUESTION = _Question(name="Question")


async def answer_question(update: Update, context: BotContext) -> None:
    message = update.effective_message
    question = (message.text if message is not None else None) or ""
    problem = find_problem(question)
    if problem is not None:
        await _route_to_dispute(update, context, problem)
        return
    found = _on_topic(knowledge_base().search(question, context.language, limit=_SEARCHED))
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
            keyboard = _answer_keyboard(best, found[1:], context)
            await reply(update, context.text("kb_ai_not_covered"), keyboard)
            return
        note = assistant_note(context, result.miss)
    taken = _answer_rows(best, more, cut=True) + (_lines(note) + 1 if note else 0)
    text, cut = _answer_text(best, context, taken)
    if note:
        text = f"{text}\n\n{note}"
    await reply(update, text, _answer_keyboard(best, more, context, cut=cut))


def _on_topic(found: list[Section]) -> list[Section]:
    """The best section and at most two related ones that are about the same thing."""
    if not found:
        return []
    best = found[0]
    related = [
        section
        for section in found[1:]
        if section.guide == best.guide or section.score >= _RELATED_SHARE * best.score
    ]
    return [best, *related[:_MORE_RESULTS]]


async def _route_to_dispute(update: Update, context: BotContext, problem: Problem) -> None:
    kind = context.text(f"kb_problem_{problem.kind.value}")
    guide = knowledge_base().guide("disputes", context.language)
    rows = [[_action_button("dispute", context)]]
    if guide is not None:
        evidence = guide.sections[guide.position("evidence")]
        rows.append(
            [
                InlineKeyboardButton(
                    _short(f"📖 {evidence.title}"),
                    callback_data=routes.GUIDE.pack(guide.name, guide.position("evidence")),
                )
            ]
        )
        rows.append([_whole_guide_button(guide, context)])
    await reply(update, context.text("kb_problem", kind=kind), InlineKeyboardMarkup(rows))


def _action_button(item: str, context: BotContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.text(ACTION_LABELS[item]), callback_data=MENU.pack(item))


def _whole_guide_button(guide: Guide, context: BotContext) -> InlineKeyboardButton:
    # Button labels are plain text: the title is added after the (escaping) catalogue.
    label = _short(f"{context.text('kb_btn_whole_guide')} {guide.title}")
    return InlineKeyboardButton(label, callback_data=routes.GUIDE.pack(guide.name, 0))


async def _reply_with_model_answer(
    update: Update, context: BotContext, answer: GroundedAnswer
) -> None:
    kb = knowledge_base()
    titles = []
    for section in answer.sources:
        guide = kb.guide(section.guide, context.language)
        titles.append(f"“{guide.title if guide else section.guide}” › {section.title}")
    # One screen, whatever the model wrote: its words are normalised and capped, and the
    # reader is told when they were cut (the buttons open the full sections).
    # The cited sections themselves are the buttons: the model's words are not theirs.
    best, more = answer.sources[0], list(answer.sources[:_MORE_RESULTS])
    label = context.text("llm_label")
    sources = context.text("kb_ai_sources", sources="; ".join(titles))
    shortened_note = context.text("llm_shortened")
    room = (
        ONE_SCREEN
        - _answer_rows(best, more, cut=False, cited=True)
        - _lines(label)
        - _lines(sources)
        - _lines(shortened_note)
        - 3  # the blank lines between the parts
    )
    text, shortened = cap_model_text(answer.text, MAX_MODEL_ANSWER)
    text, cut = fit_lines(text, room)
    body = f"{label}\n\n{model_text_html(text)}"
    if shortened or cut:
        body += "\n" + shortened_note
    keyboard = _answer_keyboard(best, more, context, cited=True)
    await reply(update, f"{body}\n\n{sources}", keyboard)


async def open_section(update: Update, context: BotContext) -> None:
    """A "read more" or "whole guide" button: the section as a new message."""
    await _show_page(update, context, routes.GUIDE, in_place=False)


async def turn_page(update: Update, context: BotContext) -> None:
    """Previous / next inside a guide: the same message shows the other section."""
    await _show_page(update, context, routes.GUIDE_PAGE, in_place=True)


# A page opened by "Read on" carries a Back to the short answer: kbpage|<guide>|r<section>
# opens it, kbpage|<guide>|a<section> goes back. Plain numbers are the guide's pages.
_READ_ON, _SHORT_ANSWER = "r", "a"


async def _show_page(
    update: Update, context: BotContext, route: CallbackRoute, *, in_place: bool
) -> None:
    query = update.callback_query
    parts = route.unpack(query.data if query else None)
    guide = knowledge_base().guide(parts[0], context.language) if parts else None
    view = parts[1][:1] if parts and parts[1][:1] in (_READ_ON, _SHORT_ANSWER) else ""
    number = parse_number(parts[1][len(view) :]) if parts else None
    index = -1 if number is None else number
    if guide is None or not 0 <= index < len(guide.sections):
        # An old keyboard after the guides changed, or data a modified client made up.
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return
    await acknowledge(update, context)
    if view == _SHORT_ANSWER:
        section = guide.sections[index]
        text, cut = _answer_text(section, context, _answer_rows(section, [], cut=True))
        await replace_or_reply(update, text, _answer_keyboard(section, [], context, cut=cut))
        return
    text, keyboard = _page_text(guide, index, context), _page_keyboard(guide, index, context)
    if view == _READ_ON:
        data = routes.GUIDE_PAGE.pack(guide.name, f"{_SHORT_ANSWER}{index}")
        back = InlineKeyboardButton(context.text("btn_back"), callback_data=data)
        keyboard = InlineKeyboardMarkup([[back], *keyboard.inline_keyboard])
    if in_place:
        await replace_or_reply(update, text, keyboard)
    else:
        await reply(update, text, keyboard)


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------


def _answer_text(section: Section, context: BotContext, button_rows: int) -> tuple[str, bool]:
    """The section's title, as much of its start as fits one phone screen above
    `button_rows` rows of buttons, and where it comes from; and whether it was cut."""
    guide = knowledge_base().guide(section.guide, context.language)
    title = f"📘 <b>{html.escape(section.title)}</b>"
    source = context.text("kb_source", guide=guide.title if guide else section.guide)
    # Two blank lines between the three parts.
    room = ONE_SCREEN - button_rows - 2 - _lines(title) - _lines(source)
    body, cut = fit_lines(section.text, room)
    return "\n\n".join([title, section_html(body), source]), cut


def _answer_keyboard(
    best: Section,
    more: list[Section],
    context: BotContext,
    *,
    cut: bool = False,
    cited: bool = False,
) -> InlineKeyboardMarkup:
    """The topic's action, "read on" when the answer was `cut`, the `more` sections (the
    best one too when they are sources `cited` by the model), and the whole guide."""
    kb = knowledge_base()
    rows = []
    action = GUIDE_ACTIONS.get(best.guide)
    if action is not None:
        rows.append([_action_button(action, context)])
    best_guide = kb.guide(best.guide, context.language)
    if cut and best_guide is not None:
        # The rest of the section, in place: the page view turns through the guide from it.
        position = best_guide.position(best.anchor)
        data = routes.GUIDE_PAGE.pack(best_guide.name, f"{_READ_ON}{position}")
        rows.append([InlineKeyboardButton(context.text("kb_btn_read_on"), callback_data=data)])
    for section in more:
        guide = kb.guide(section.guide, context.language)
        if guide is not None and (cited or section.anchor != best.anchor):
            label = _short(f"📖 {section.title}")
            data = routes.GUIDE.pack(guide.name, guide.position(section.anchor))
            rows.append([InlineKeyboardButton(label, callback_data=data)])
    if best_guide is not None:
        rows.append([_whole_guide_button(best_guide, context)])
    return InlineKeyboardMarkup(rows)


def _answer_rows(best: Section, more: list[Section], *, cut: bool, cited: bool = False) -> int:
    return (
        (best.guide in GUIDE_ACTIONS)
        + cut
        + len([s for s in more if cited or s.anchor != best.anchor])
        + 1  # the whole guide
    )


_MARKS = re.compile(r"\*\*|`")


def _lines(markup: str) -> int:
    return text_lines(re.sub(r"<[^>]+>", "", markup))


def _longest_start(kept: list[str], pieces: list[str], room: int) -> str:
    part = ""
    for piece in pieces:
        longer = f"{part} {piece}".strip()
        if text_lines(_MARKS.sub("", "\n".join([*kept, longer + "…"]))) > room:
            break
        part = longer
    return part


def fit_lines(markdown: str, room: int) -> tuple[str, bool]:
    """The start of a guide section that takes at most `room` phone lines: whole lines
    (a paragraph, a bullet) while they fit, then the sentences of the next that do; and
    whether anything was left out (an ellipsis marks it)."""
    kept: list[str] = []
    for line in markdown.strip().splitlines():
        candidate = "\n".join([*kept, line])
        if text_lines(_MARKS.sub("", candidate)) <= room:
            kept.append(line)
            continue
        # Whole sentences read best; a line with none short enough is cut between words.
        part = _longest_start(kept, re.split(r"(?<=[.!?。])\s+", line), room)
        if not part and not kept:
            part = _longest_start(kept, line.split(" "), room)
        if part:
            kept.append(part + "…")
        elif kept:
            kept[-1] = kept[-1].rstrip() + "…"
        return "\n".join(kept).strip(), True
    return "\n".join(kept).strip(), False


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
    # First: "23-7" typed after the /quiet prompt is its answer, not a question.
    quiet_hours.TYPED_ANSWER,
    MessageHandler(_FRESH_TEXT & QUESTION, answer_question),
    CallbackQueryHandler(open_section, pattern=routes.GUIDE.pattern),
    CallbackQueryHandler(turn_page, pattern=routes.GUIDE_PAGE.pattern),
]
