"""/spec: a product specification in Chinese for AliWangWang, with what the Chinese says.

Nine short questions, each skippable; the answers go through the offline glossary in
bot.domain.spec.builder. The result is a Chinese message to send on 旺旺 that ends by asking the
supplier to reply 确认, and a line-by-line back-translation in the buyer's language with
every word the glossary did not know marked for checking. See spec.mmd for the flow.

With the AI helper configured, the wording the glossary did not know is translated by the
model and read back by it without the buyer's words (bot.assist.translation); what the
glossary translated never changes, and each machine item stays marked with the reading
beside the buyer's words. Model text is shown only through `model_text_html`, or escaped
inside the copy block, where Telegram makes nothing a link.
"""

from __future__ import annotations

from datetime import date

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)

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
from handlers.callback_data import CallbackRoute
from handlers.guided import question_conversation
from handlers.keyboards import MENU, menu_button
from handlers.replies import acknowledge, assistant_note, replace_or_reply, reply

STEP = CallbackRoute("spec", arity=2)  # spec|<field>|skip or spec|<field>|finish
ASKING = 1
SKIP, FINISH = "skip", "finish"
FLOW_KEY = "spec"
# CopyTextButton carries at most 256 characters; a longer summary is copied from its block.
MAX_COPY_TEXT = 256
# Telegram's limit is 4096 characters; long summaries are split below it.
MAX_MESSAGE = 3800
# Words quoted in a warning; the whole answer is already on the line above.
MAX_QUOTE = 40
# The AI's Chinese quoted in a warning when it was not used.
MAX_MODEL_QUOTE = 120
_FRESH = ~filters.UpdateType.EDITED


# -- the answers so far ------------------------------------------------------------------


def _load(context: BotContext) -> dict[str, object] | None:
    saved = context.state.flow.get(FLOW_KEY)
    return saved if isinstance(saved, dict) else None


def _answers(draft: dict[str, object]) -> dict[str, str]:
    saved = draft.get("answers")
    if not isinstance(saved, dict):
        return {}
    return {str(key): value for key, value in saved.items() if isinstance(value, str)}


def _asked(draft: dict[str, object]) -> list[str]:
    saved = draft.get("asked")
    return [str(code) for code in saved] if isinstance(saved, list) else []


def _new_draft(context: BotContext) -> dict[str, object]:
    draft: dict[str, object] = {"answers": {}, "asked": [], "current": FIELDS[0]}
    context.state.flow[FLOW_KEY] = draft
    return draft


def _today(context: BotContext) -> date:
    # Suppliers count days in Beijing time; a deadline "before" a date is read there.
    return context.clock.now().astimezone(BEIJING).date()


# -- entry -------------------------------------------------------------------------------


async def spec_command(update: Update, context: BotContext) -> int:
    draft = _new_draft(context)
    await _ask(update, context, draft, _intro(context), edit=False)
    return ASKING


async def from_menu(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    draft = _new_draft(context)
    await _ask(update, context, draft, _intro(context), edit=True)
    return ASKING


def _intro(context: BotContext) -> str:
    # Without the model the intro promises that no online translator is used; keep it true.
    return context.text("spec_intro" if context.services.llm is None else "spec_intro_ai")


# -- asking and answering ----------------------------------------------------------------


async def _ask(
    update: Update, context: BotContext, draft: dict[str, object], lead: str, *, edit: bool
) -> None:
    code = str(draft.get("current"))
    progress = context.text("spec_progress", number=FIELDS.index(code) + 1, total=len(FIELDS))
    question = f"{progress}\n{context.text(f'spec_ask_{code}')}"
    text = "\n\n".join(part for part in (lead, question) if part)
    keyboard = _keyboard(context, code, answered=bool(_answers(draft)))
    if edit:
        await replace_or_reply(update, text, keyboard)
    else:
        await reply(update, text, keyboard)


def _keyboard(context: BotContext, code: str, *, answered: bool) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(context.text("spec_btn_skip"), callback_data=STEP.pack(code, SKIP))
    ]
    if answered:
        finish = context.text("spec_btn_finish")
        row.append(InlineKeyboardButton(finish, callback_data=STEP.pack(code, FINISH)))
    return InlineKeyboardMarkup([row])


async def button_pressed(update: Update, context: BotContext) -> int:
    """Skip or Finish. Also an entry point: the first question may have been shown from
    another flow's menu, outside this conversation."""
    parts = STEP.unpack(update.callback_query.data if update.callback_query else None)
    draft = _load(context)
    if parts is None or draft is None or parts[0] != draft.get("current"):
        await acknowledge(update, context.text("spec_stale_question"), alert=True)
        return ASKING if draft is not None else ConversationHandler.END
    if parts[1] not in (SKIP, FINISH):
        await acknowledge(update, context.text("spec_stale_question"), alert=True)
        return ASKING
    await acknowledge(update)
    if parts[1] == FINISH:
        return await _finish(update, context, draft)
    return await _advance(update, context, draft, "", edit=True)


async def typed_answer(update: Update, context: BotContext) -> int:
    message = update.effective_message
    text = ((message.text or "") if message else "").strip()
    draft = _load(context) or _new_draft(context)
    code = str(draft.get("current"))
    line = build_spec({code: text}, today=_today(context)).lines
    if not line:
        await _ask(update, context, draft, context.text("spec_empty_answer"), edit=False)
        return ASKING
    answers = _answers(draft)
    # One character more than is read, so the summary can still say the answer was cut.
    answers[code] = text[: MAX_ANSWER + 1]
    draft["answers"] = answers
    lead = _echo(line[0], context.language)
    return await _advance(update, context, draft, lead, edit=False)


async def _advance(
    update: Update, context: BotContext, draft: dict[str, object], lead: str, *, edit: bool
) -> int:
    asked = [*_asked(draft), str(draft.get("current"))]
    draft["asked"] = asked
    following = [code for code in FIELDS if code not in asked]
    if not following:
        return await _finish(update, context, draft)
    draft["current"] = following[0]
    await _ask(update, context, draft, lead, edit=edit)
    return ASKING


def _echo(line: SpecLine, language: str) -> str:
    """The answer as it will read in Chinese, and what that says, right after typing it."""
    return "\n".join([f"✔ {_pair(line, language)}", *render_warnings(line, language)])


def _pair(line: SpecLine, language: str) -> str:
    return translate(language, "spec_pair", zh=line.zh, back=Html(back_line(line, language)))


async def not_text(update: Update, context: BotContext) -> int:
    draft = _load(context) or _new_draft(context)
    await _ask(update, context, draft, context.text("spec_use_text"), edit=False)
    return ASKING


# -- the summary -------------------------------------------------------------------------


async def _finish(update: Update, context: BotContext, draft: dict[str, object]) -> int:
    context.state.flow.pop(FLOW_KEY, None)
    glossary = build_spec(_answers(draft), today=_today(context))
    if not glossary.lines:
        await replace_or_reply(update, context.text("spec_nothing"), menu_button(context.language))
        return ConversationHandler.END
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
    chinese = render_chinese(spec, context.language)
    parts = render_back_translation(
        spec, context.language, assisted, note=assistant_note(context, assisted.miss)
    )
    for chunk in chinese:
        # A copy button only when the whole message fits in one.
        await reply(update, chunk, _copy_keyboard(spec, context) if len(chinese) == 1 else None)
    for number, chunk in enumerate(parts, start=1):
        last = number == len(parts)
        await reply(update, chunk, menu_button(context.language) if last else None)
    return ConversationHandler.END


def _copy_keyboard(spec: Spec, context: BotContext) -> InlineKeyboardMarkup | None:
    message = spec.zh_message
    if len(message) > MAX_COPY_TEXT:
        return None
    button = InlineKeyboardButton(context.text("spec_btn_copy"), copy_text=CopyTextButton(message))
    return InlineKeyboardMarkup([[button]])


def render_chinese(spec: Spec, language: str) -> list[str]:
    """The message for 旺旺 in a copy block; one that would not fit is sent in parts."""
    whole = translate(language, "spec_chinese_title", message=spec.zh_message)
    if len(whole) <= MAX_MESSAGE:
        return [whole]
    return [
        translate(language, "spec_chinese_part", message=part)
        for part in _pack(spec.zh_message.split("\n"), separator="\n")
    ]


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
    blocks = [translate(language, "spec_back_title")]
    if translations:
        legend = translate(language, "spec_ai_legend")
        blocks.append(f"{translate(language, 'llm_label')}\n{legend}")
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
    blocks.append(translate(language, key))
    if note:
        blocks.append(note)
    return _pack(blocks)


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


def _pack(blocks: list[str], separator: str = "\n\n") -> list[str]:
    """Blocks joined into as few messages as fit. A block is one line of the spec, which
    the domain's limits keep below a message, so blocks are normally never cut (a cut
    could split an HTML tag). Only AI readings and warnings on a line of many items can
    outgrow one: such a block is split at its line breaks, and no tag spans a line."""
    messages: list[str] = []
    for whole in blocks:
        for block in [whole] if len(whole) <= MAX_MESSAGE else split_message(whole, MAX_MESSAGE):
            if messages and len(messages[-1]) + len(separator) + len(block) <= MAX_MESSAGE:
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


def conversation(fallbacks: list[AnyHandler]) -> ConversationHandler[BotContext]:
    entry_points: list[AnyHandler] = [
        CommandHandler("spec", spec_command),
        CallbackQueryHandler(from_menu, pattern=MENU.exact("spec")),
        CallbackQueryHandler(button_pressed, pattern=STEP.pattern),
    ]
    return question_conversation(
        name="spec_builder",
        entry_points=entry_points,
        button=CallbackQueryHandler(button_pressed, pattern=STEP.pattern),
        typed=typed_answer,
        other=not_text,
        fallbacks=fallbacks,
    )
