"""/spec: a product specification in Chinese for AliWangWang, with what the Chinese says.

Nine short questions, each skippable; the answers go through the offline glossary in
bot.domain.spec.builder. The result is a Chinese message to send on 旺旺 that ends by asking
the supplier to reply 确认, and a line-by-line back-translation in the buyer's language with
every word the glossary did not know marked for checking. See spec.mmd for the flow.

With the AI helper configured, the wording the glossary did not know is translated by the
model and read back by it without the buyer's words (bot.assist.translation); what the
glossary translated never changes, and each machine item stays marked with the reading
beside the buyer's words. Model text is shown only through `model_text_html`, or escaped
inside the copy block, where Telegram makes nothing a link.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.assist.translation import AssistedSpec, assist_spec, wants_model
from bot.context import AnyHandler, BotContext
from bot.domain.spec.builder import (
    FIELDS,
    MAX_ANSWER,
    Item,
    Piece,
    Ref,
    Spec,
    SpecLine,
    build_spec,
)
from bot.domain.spec.check import REFUSED_NUMBERS, Amount, MachineTranslation
from bot.domain.timezones import BEIJING
from bot.render.i18n import Html, translate
from bot.render.model_text import model_text_html, split_message
from bot.render.phone_screen import ONE_SCREEN, message_lines, text_lines
from handlers import routes
from handlers.guided import (
    Answer,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Outcome,
    Problem,
    Question,
    Turn,
    catalogue_prompt,
)
from handlers.keyboards import menu_button
from handlers.replies import acknowledge, assistant_note, replace_or_reply, reply

# CopyTextButton carries at most 256 characters; a longer summary is copied from its block.
MAX_COPY_TEXT = 256
# Telegram's limit is 4096 characters; long summaries are split below it.
MAX_MESSAGE = 3800
# Words quoted in a warning; the whole answer is already on the line above.
MAX_QUOTE = 40
# The AI's Chinese quoted in a warning when it was not used.
MAX_MODEL_QUOTE = 120
# The back-translation quoted per message: the title and the closing advice come around it.
QUOTE_LIMIT = MAX_MESSAGE - 1200
# A Chinese block at most this many phone lines, so a block and its button share a screen.
MAX_BLOCK_LINES = 12
COPY_BUTTONS_PER_ROW = 3
# More Chinese messages than this and the reply gives up one screen each (a huge spec).
MAX_CHINESE_MESSAGES = 2


def _today(context: BotContext) -> date:
    # Suppliers count days in Beijing time; a deadline "before" a date is read there.
    return context.clock.now().astimezone(BEIJING).date()


def _answers(state: FlowState) -> dict[str, str]:
    return {code: value for code, value in state.answers.items() if isinstance(value, str)}


# -- entry -------------------------------------------------------------------------------


async def spec_command(update: Update, context: BotContext) -> int:
    return await FLOW.begin(update, context, FlowState(), _intro(context))


async def from_menu(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    return await FLOW.begin(update, context, FlowState(), _intro(context))


def _intro(context: BotContext) -> str:
    # Without the model the intro promises that no online translator is used; keep it true.
    return context.text("spec_intro" if context.services.llm is None else "spec_intro_ai")


# -- answering ---------------------------------------------------------------------------


def _field(code: str) -> Question:
    async def typed(turn: Turn, text: str) -> Outcome:
        line = build_spec({code: text}, today=_today(turn.context)).lines
        if not line:
            return Problem(turn.text("spec_empty_answer"))
        # One character more than is read, so the summary can still say the answer was cut.
        return Answer(text[: MAX_ANSWER + 1], lead=_echo(line[0], turn.language))

    return Question(code, catalogue_prompt(f"spec_ask_{code}"), typed=typed)


def _echo(line: SpecLine, language: str) -> str:
    """The answer as it will read in Chinese, and what that says, right after typing it."""
    return "\n".join([f"✔ {_pair(line, language)}", *render_warnings(line, language)])


def _pair(line: SpecLine, language: str) -> str:
    return translate(language, "spec_pair", zh=line.zh, back=Html(back_line(line, language)))


# -- the summary -------------------------------------------------------------------------


async def _finish(turn: Turn, lead: str) -> None:
    update, context = turn.update, turn.context
    glossary = build_spec(_answers(turn.state), today=_today(context))
    if not glossary.lines:
        await replace_or_reply(update, context.text("spec_nothing"), menu_button(context.language))
        return
    model = context.services.llm if wants_model(glossary) else None
    done = context.text("spec_done")
    if model is not None:
        done = f"{done}\n{context.text('spec_ai_working')}"
    await replace_or_reply(update, done)
    if model is not None and update.effective_chat is not None:
        # The model takes seconds: "typing…" shows the bot is still at it.
        await update.effective_chat.send_chat_action(ChatAction.TYPING)
    user = update.effective_user
    assisted = await assist_spec(
        model, glossary, language=context.language, user_id=user.id if user else None
    )
    spec = assisted.spec  # what goes to the supplier: the glossary plus accepted AI items
    # Everything is rendered before the first message goes out, so the messages arrive
    # together rather than with a pause in the middle.
    chinese = chinese_messages(spec, context.language)
    parts = render_back_translation(
        spec, context.language, assisted, note=assistant_note(context, assisted.miss)
    )
    for message in chinese:
        await reply(update, message.text, _copy_keyboard(message, context.language))
    for number, chunk in enumerate(parts, start=1):
        last = number == len(parts)
        await reply(update, chunk, menu_button(context.language) if last else None)


@dataclass(frozen=True)
class ChineseMessage:
    """A message with Chinese blocks for 旺旺: each block is copied by its own button."""

    text: str
    blocks: tuple[tuple[int, str], ...]  # (number among all blocks, the block's Chinese)
    numbered: bool  # more than one block in the whole reply: buttons say which


def _copy_keyboard(message: ChineseMessage, language: str) -> InlineKeyboardMarkup | None:
    buttons = [
        InlineKeyboardButton(
            translate(language, "spec_btn_copy_n", number=number)
            if message.numbered
            else translate(language, "spec_btn_copy"),
            copy_text=CopyTextButton(block),
        )
        for number, block in message.blocks
        if len(block) <= MAX_COPY_TEXT
    ]
    if not buttons:
        return None
    rows = [
        buttons[start : start + COPY_BUTTONS_PER_ROW]
        for start in range(0, len(buttons), COPY_BUTTONS_PER_ROW)
    ]
    return InlineKeyboardMarkup(rows)


def chinese_blocks(spec: Spec) -> list[str]:
    """The message for 旺旺 cut at line ends into blocks a copy button can carry (256
    characters) and a phone shows whole. A single longer line is a block of its own,
    copied by tapping it."""
    blocks: list[str] = []
    current = ""
    for line in spec.zh_message.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if current and (len(candidate) > MAX_COPY_TEXT or text_lines(candidate) > MAX_BLOCK_LINES):
            blocks.append(current)
            current = line
        else:
            current = candidate
    if current:
        blocks.append(current)
    return blocks


def chinese_messages(spec: Spec, language: str) -> list[ChineseMessage]:
    """The Chinese blocks, as few messages as fit one phone screen each, then a plain word
    on what stays in English."""
    blocks = list(enumerate(chinese_blocks(spec), start=1))
    numbered = len(blocks) > 1
    title = translate(language, "spec_chinese_blocks_order" if numbered else "spec_chinese_blocks")
    note = untranslated_note(spec, language)
    on_screens = _pack_blocks(blocks, title, note, language, screen=True)
    if len(on_screens) <= MAX_CHINESE_MESSAGES:
        return on_screens
    # A spec too long for a couple of screens is sent in as few messages as Telegram takes.
    return _pack_blocks(blocks, title, note, language, screen=False)


def _pack_blocks(
    blocks: list[tuple[int, str]], title: str, note: str, language: str, *, screen: bool
) -> list[ChineseMessage]:
    numbered = len(blocks) > 1
    messages: list[ChineseMessage] = []
    head = title
    taken: list[tuple[tuple[int, str], str]] = []
    for number, block in blocks:
        pre = f"<pre>{html.escape(block, quote=False)}</pre>"
        text = "\n".join([head, *(p for _, p in taken), pre, note])
        if taken and not _fits(text, len(taken) + 1, screen=screen):
            messages.append(_chinese_message(head, taken, numbered))
            head = translate(language, "spec_chinese_more")
            taken = []
        taken.append(((number, block), pre))
    messages.append(_chinese_message(head, taken, numbered, note))
    return messages


def _chinese_message(
    head: str,
    taken: list[tuple[tuple[int, str], str]],
    numbered: bool,
    note: str = "",
) -> ChineseMessage:
    text = "\n".join([head, *(pre for _, pre in taken), *([note] if note else [])])
    return ChineseMessage(text, tuple(block for block, _ in taken), numbered)


def _fits(text: str, blocks: int, *, screen: bool) -> bool:
    """Within Telegram's limit and, with `screen`, one phone screen with its buttons
    (the text counted with the note under it, as the last message carries it)."""
    if len(text) > MAX_MESSAGE:
        return False
    rows = -(-blocks // COPY_BUTTONS_PER_ROW)
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return not screen or message_lines(plain, rows) <= ONE_SCREEN


def untranslated_note(spec: Spec, language: str) -> str:
    """What the Chinese still carries as typed and the words that kept it so, or that
    nothing does."""
    kept = spec.untranslated
    if not kept:
        return translate(language, "spec_all_chinese")
    items = list(
        dict.fromkeys(translate(language, "spec_as_typed", typed=_shorten(p.typed)) for p in kept)
    )
    words = dict.fromkeys(
        translate(language, "spec_as_typed", typed=_shorten(word))
        for piece in kept
        for word in piece.unknown or (piece.typed,)
    )
    return translate(
        language,
        "spec_untranslated",
        items=Html(", ".join(_first(items))),
        words=Html(", ".join(_first(list(words)))),
    )


def _first(quoted: list[str], limit: int = 3) -> list[str]:
    return quoted if len(quoted) <= limit else [*quoted[:limit], "…"]


def render_chinese(spec: Spec, language: str) -> list[str]:
    """The texts of the Chinese messages (see chinese_messages)."""
    return [message.text for message in chinese_messages(spec, language)]


def render_back_translation(
    spec: Spec,
    language: str,
    assisted: AssistedSpec | None = None,
    *,
    note: str | None = None,
) -> list[str]:
    """What the Chinese says, line by line, split into messages Telegram accepts. With the
    AI helper's work in `assisted`, its items read back in its words (marked 🤖) and each
    line carries what its checks found; `note` says when the helper gave nothing."""
    translations = assisted.translations if assisted is not None else ()
    head = [translate(language, "spec_back_title")]
    blocks = []
    if translations:
        head.append(translate(language, "llm_label"))
        blocks.append(translate(language, "spec_ai_legend"))
    blocks.append(translate(language, "spec_back_intro"))
    for number, line in enumerate(spec.lines, start=1):
        numbered = f"{number}. {_pair(line, language)}"
        checks = [
            flag
            for found in translations
            if found.wording.line == number - 1
            for flag in render_machine_checks(found, language)
        ]
        blocks.append("\n".join([numbered, *render_warnings(line, language), *checks]))
    blocks.append(translate(language, "spec_back_outro"))
    key = "spec_check_some" if spec.needs_checking else "spec_check_none"
    tail = [translate(language, key), *([note] if note else [])]
    # The line-by-line reading is a detail: it sits in collapsed quotes, so the message
    # stays one phone screen until the buyer opens it.
    quotes = [
        f"<blockquote expandable>{chunk}</blockquote>"
        for chunk in _pack(blocks, limit=QUOTE_LIMIT)
    ]
    quotes[0] = "\n".join([*head, quotes[0]])
    quotes[-1] = "\n".join([quotes[-1], *tail])
    more = translate(language, "spec_back_more")
    return [quotes[0], *(f"{more}\n{quote}" for quote in quotes[1:])]


def render_machine_checks(found: MachineTranslation, language: str) -> list[str]:
    """What the number and markup checks found in one AI translation, for its line."""
    typed = _shorten(found.wording.typed)
    said = Html(model_text_html(_shorten(found.zh, MAX_MODEL_QUOTE)) or "—")
    if found.refused == REFUSED_NUMBERS:
        amounts = _amounts(found.lost)
        return [
            translate(language, "spec_ai_refused_numbers", amounts=amounts, typed=typed, zh=said)
        ]
    if found.refused is not None:
        return [translate(language, "spec_ai_refused_other", typed=typed, zh=said)]
    flags = []
    if found.lost_in_back:
        amounts = _amounts(found.lost_in_back)
        flags.append(translate(language, "spec_ai_missing_back", amounts=amounts, typed=typed))
    if found.added:
        amounts = _amounts(found.added)
        flags.append(translate(language, "spec_ai_added", amounts=amounts, typed=typed))
    return flags


def _amounts(amounts: tuple[Amount, ...]) -> str:
    return ", ".join(amount.text for amount in amounts)


def _pack(blocks: list[str], separator: str = "\n\n", limit: int = MAX_MESSAGE) -> list[str]:
    """Blocks joined into as few messages as fit. A block is one line of the spec, which
    the domain's limits keep below a message, so blocks are normally never cut (a cut
    could split an HTML tag). Only AI readings and warnings on a line of many items can
    outgrow one: such a block is split at its line breaks, and no tag spans a line."""
    messages: list[str] = []
    for whole in blocks:
        for block in [whole] if len(whole) <= limit else split_message(whole, limit):
            if messages and len(messages[-1]) + len(separator) + len(block) <= limit:
                messages[-1] += separator + block
            else:
                messages.append(block)
    return messages


def back_line(line: SpecLine, language: str) -> str:
    """The line's label and value in the buyer's language (HTML)."""
    label = translate(language, f"spec_label_{line.label}")
    value = ", ".join(_back_item(item, language) for item in line.items)
    return f"{label}: {value}"


def _back_item(item: Item, language: str) -> str:
    return " ".join(_back_piece(piece, language) for piece in item)


def _back_piece(piece: Piece, language: str) -> str:
    if piece.key is None and piece.back:
        # The AI helper's reading of its own Chinese: model text, made inert.
        return translate(language, "spec_ai_back", back=Html(model_text_html(piece.back)))
    if piece.key is None:
        return translate(language, "spec_as_typed", typed=piece.zh)
    values = {
        name: Html(translate(language, value.key, n=value.n)) if isinstance(value, Ref) else value
        for name, value in piece.args
    }
    return translate(language, piece.key, **values)


def render_warnings(line: SpecLine, language: str) -> list[str]:
    """One warning per kind, quoting every piece it is about."""
    quoted: dict[str, list[str]] = {}
    for piece in line.warnings:
        words = _shorten(piece.typed or piece.zh)
        quoted.setdefault(piece.warning or "", []).append(
            translate(language, "spec_as_typed", typed=words)
        )
    lines = [
        translate(language, f"spec_warn_{code}", typed=Html(", ".join(dict.fromkeys(words))))
        for code, words in quoted.items()
    ]
    if line.cut:
        lines.append(translate(language, "spec_warn_cut", limit=MAX_ANSWER))
    return lines


def _shorten(text: str, limit: int = MAX_QUOTE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


FLOW = GuidedFlow(
    name="spec_builder",
    route=routes.SPEC,
    questions=tuple(_field(code) for code in FIELDS),
    texts=FlowTexts(
        stale="spec_stale_question",
        use_buttons="spec_use_text",
        skip="spec_btn_skip",
        progress="spec_progress",
    ),
    finish=_finish,
    finish_early="spec_btn_finish",
)


def conversation(fallbacks: list[AnyHandler]) -> ConversationHandler[BotContext]:
    return FLOW.conversation(
        entry_points=[
            CommandHandler("spec", spec_command),
            CallbackQueryHandler(from_menu, pattern=routes.MENU.exact("spec")),
        ],
        fallbacks=fallbacks,
    )
