"""Is this payment request safe? Text, /pay, forwards and screenshots go to the checker.

See payments.mmd for the flow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram import (
    CopyTextButton,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.assist.payments import ReviewedCheck, review_payment
from bot.context import AnyHandler, BotContext
from bot.domain.payments.checker import (
    PAYEE_ANSWERS,
    PaymentCheck,
    Verdict,
    classify_payment,
    findings,
    looks_like_payment_talk,
    looks_like_shipping_notice,
    restored,
    with_answer,
)
from bot.render.i18n import Html
from bot.render.model_text import model_text_html, split_message
from bot.render.payments import explanation_key, plain_text, render_check, render_short
from bot.services.payments import FEEDBACK_LABELS
from handlers import answers, logistics, orders, routes
from handlers.callback_data import parse_number
from handlers.conversation import StoredConversation
from handlers.guided import (
    Choice,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Handled,
    Outcome,
    Question,
    Turn,
    catalogue_prompt,
)
from handlers.replies import (
    acknowledge,
    assistant_note,
    reply,
    reply_in_pieces,
)
from handlers.routes import MENU

if TYPE_CHECKING:
    # Only the type: the reader and OpenCV load on the first picture (bot.context.Services).
    from bot.adapters.ocr import ImageReading

# Telegram lets bots download up to 20 MB; a screenshot is far smaller.
MAX_IMAGE_BYTES = 10 * 1024 * 1024
# CopyTextButton carries at most 256 characters.
MAX_COPY_TEXT = 256


class _PaymentTalk(filters.MessageFilter):
    """Free text that talks about paying, accounts or transfers."""

    def filter(self, message: Message) -> bool:
        return bool(message.text) and looks_like_payment_talk(message.text or "")


PAYMENT_TALK = _PaymentTalk(name="PaymentTalk")
_FRESH = ~filters.UpdateType.EDITED
IMAGES = (filters.PHOTO | filters.Document.IMAGE) & _FRESH


async def ask_for_request(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    return await FLOW.begin(update, context, FlowState())


async def pay_command(update: Update, context: BotContext) -> int:
    message = update.effective_message
    text = (message.text or "").partition(" ")[2].strip() if message else ""
    if not text:
        return await ask_for_request(update, context)
    await _check_text(update, context, text, source="command")
    return ConversationHandler.END


async def check_message_text(update: Update, context: BotContext) -> int:
    """Pasted or forwarded text (a forwarded photo's caption counts too)."""
    message = update.effective_message
    if message is None:
        return ConversationHandler.END
    text = message.text or message.caption or ""
    source = "forward" if message.forward_origin else "text"
    await _check_text(update, context, text, source=source)
    return ConversationHandler.END


async def _request_typed(turn: Turn, text: str) -> Outcome:
    await check_message_text(turn.update, turn.context)
    return Handled(ended=True)


async def check_image(update: Update, context: BotContext) -> int:
    # Whether it came asked for (/pay) or not, the picture is the request: /pay is answered.
    FLOW.forget(context)
    message = update.effective_message
    if message is None:
        return ConversationHandler.END
    data = await _download_image(message)
    if data is None:
        await reply(update, context.text("pay_image_too_large"))
        return ConversationHandler.END
    await message.reply_chat_action(ChatAction.TYPING)
    reading = await context.services.vision.read_async(data)
    if not reading.readable:
        key = "pay_image_too_large" if reading.problem == "too_large" else "pay_image_unreadable"
        await reply(update, context.text(key))
        return ConversationHandler.END
    caption = message.caption or ""
    if not (reading.text.strip() or reading.qr_payloads or caption.strip()):
        await reply(update, context.text("pay_image_empty"))
        return ConversationHandler.END
    page = "\n".join(part for part in (caption, reading.text) if part.strip())
    if not reading.qr_payloads and await orders.order_page_photographed(update, context, page):
        return ConversationHandler.END
    if not reading.qr_payloads and logistics.is_trace(page):
        await logistics.trace_seen(update, context, page)
        return ConversationHandler.END
    await _check_image_reading(update, context, reading, caption)
    return ConversationHandler.END


async def _download_image(message: Message) -> bytes | None:
    attachment: PhotoSize | Document | None = (
        message.photo[-1] if message.photo else message.document
    )
    if attachment is None:
        return None
    if attachment.file_size is not None and attachment.file_size > MAX_IMAGE_BYTES:
        return None
    file = await attachment.get_file()
    return bytes(await file.download_as_bytearray())


async def _check_text(update: Update, context: BotContext, text: str, *, source: str) -> None:
    first = classify_payment(text)
    if first.slots.speaker == "buyer":
        # The buyer's own question ("can I pay with PayPal on 1688?"): a guide answer, not
        # a verdict on a supplier who said nothing.
        await answers.answer_question(update, context)
        return
    check, helper = await _with_model_review(update, context, first, text)
    if check.ask is not None and check.verdict is Verdict.CONDITIONAL:
        await _ask(update, context, check, text, source)
        return
    check_id = await _record(update, context, check, text, source)
    keyboard = _keyboard(context, check, check_id)
    rendered = render_short(
        check,
        context.language,
        button_rows=_rows(keyboard),
        shipping=looks_like_shipping_notice(text),
    )
    about = update.effective_message.message_id if update.effective_message else None
    await _send_verdict(update, rendered, helper, keyboard, about=about)


# -- one question when the slot that decides the verdict is missing (payments.mmd) ---------


async def _ask(
    update: Update, context: BotContext, check: PaymentCheck, text: str, source: str
) -> None:
    """Ask whose name is on the account, then give the verdict. The flow keeps the codes
    and, only when the user keeps texts (/privacy), the quotes and the message."""
    keep = context.state.keep_texts
    found = findings(check)
    message = update.effective_message
    notes = {
        "found": found if keep else dict.fromkeys(found, ""),
        "source": source,
        "text": text if keep else "",
        "mentions": sorted(check.mentions),
        # The verdict answers the buyer's message, so its details can quote it again.
        "about": message.message_id if message is not None else 0,
    }
    await ASK_FLOW.begin(update, context, FlowState(notes=notes))


def _payee_choices(turn: Turn) -> list[Choice]:
    return [Choice(value, turn.text(f"pay_ask_payee_{value}")) for value in PAYEE_ANSWERS]


async def _answered(turn: Turn, lead: str) -> None:
    found = turn.state.notes.get("found")
    answer = turn.state.answer("payee")
    if not isinstance(found, dict) or answer not in PAYEE_ANSWERS:
        return
    mentions = turn.state.notes.get("mentions")
    known = [str(m) for m in mentions] if isinstance(mentions, list) else []
    check = with_answer(
        {str(k): str(v) for k, v in found.items()}, "payee", str(answer), mentions=known
    )
    text = str(turn.state.notes.get("text") or "")
    source = str(turn.state.notes.get("source") or "text")
    check_id = await _record(turn.update, turn.context, check, text, source)
    keyboard = _keyboard(turn.context, check, check_id, str(answer))
    heard = turn.text("pay_ask_heard", answer=turn.text(f"pay_ask_payee_{answer}"))
    rendered = render_short(check, turn.language, button_rows=_rows(keyboard), lead=heard)
    about = turn.state.notes.get("about")
    await _send_verdict(
        turn.update, rendered, [], keyboard, about=about if isinstance(about, int) else None
    )


ASK_FLOW = GuidedFlow(
    name="payment_ask",
    route=routes.PAYMENT_ASK,
    questions=(
        Question(
            "payee",
            catalogue_prompt("pay_ask_payee"),
            choices=_payee_choices,
            row_sizes=(3,),
            skippable=False,
        ),
    ),
    texts=FlowTexts(stale="button_expired_alert", use_buttons="pay_ask_use_buttons"),
    finish=_answered,
    idle=timedelta(minutes=30),
)


def ask_conversation(fallbacks: list[AnyHandler]) -> StoredConversation:
    """The payee question's buttons, wherever the question was shown."""
    return ASK_FLOW.conversation(entry_points=[], fallbacks=fallbacks)


async def _check_image_reading(
    update: Update, context: BotContext, reading: ImageReading, caption: str
) -> None:
    text = "\n".join(part for part in (caption, reading.text) if part.strip())
    check = classify_payment(text, qr_payloads=reading.qr_payloads)
    check, helper = await _with_model_review(update, context, check, text)
    if check.ask is not None and check.verdict is Verdict.CONDITIONAL:
        # A screenshot leaves the payee unsaid as often as a typed message does.
        await _ask(update, context, check, text, "photo")
        return
    check_id = await _record(update, context, check, text, "photo")
    keyboard = _keyboard(context, check, check_id)
    rendered = render_short(
        check,
        context.language,
        button_rows=_rows(keyboard),
        image_text=reading.text,
        qr_payloads=reading.qr_payloads,
    )
    about = update.effective_message.message_id if update.effective_message else None
    await _send_verdict(update, rendered, helper, keyboard, about=about)


async def _with_model_review(
    update: Update, context: BotContext, check: PaymentCheck, text: str
) -> tuple[PaymentCheck, list[str]]:
    """The rules' check, raised by whatever the AI helper grounded, and the helper's
    blocks to show under the verdict ([] when it is off)."""
    model = context.services.llm
    if model is None or not text.strip():
        return check, []
    if update.effective_chat is not None:
        await update.effective_chat.send_chat_action(ChatAction.TYPING)
    review = await review_payment(
        model,
        check,
        text,
        language=context.language,
        user_id=update.effective_user.id if update.effective_user else None,
        explain=lambda code: plain_text(context.text(explanation_key(code))),
    )
    return review.check, _helper_blocks(context, review)


def _helper_blocks(context: BotContext, review: ReviewedCheck) -> list[str]:
    """The helper's part of the verdict. Under a risky verdict everything here is our own
    catalogue text filled from the model's structured fields (concern codes, quotes of
    the supplier's message, payment details found in it); only next to an approved or
    unclear verdict is the model's own explanation shown, normalised, capped and inert."""
    note = assistant_note(context, review.miss)
    if note is not None:
        return [note]
    blocks = []
    if review.explanation:
        body = model_text_html(review.explanation)
        if review.shortened:
            body += "\n" + context.text("llm_shortened")
        blocks.append(f"{context.text('llm_label')}\n{body}")
    elif review.concerns or review.added or review.withheld or review.details:
        blocks.append(context.text("llm_label"))
    if review.concerns:
        lines = [context.text("pay_ai_concerns_title")]
        lines += [f"• {context.text(f'pay_ai_concern_{code}')}" for code in review.concerns]
        blocks.append("\n".join(lines))
    if review.withheld:
        blocks.append(context.text("pay_ai_withheld"))
    if review.added:
        lines = [context.text("pay_ai_added_title")]
        for found in review.added:
            lines.append(
                context.text(
                    "pay_ai_added_item",
                    level=context.text(f"pay_ai_level_{found.level.value}"),
                    concern=context.text(f"pay_ai_concern_{found.concern}"),
                    quote=Html(model_text_html(found.quote)),
                )
            )
        blocks.append("\n".join(lines))
    if review.details:
        lines = [context.text("pay_ai_details_title")]
        for field, value in review.details:
            label = context.text(f"pay_ai_detail_{field}")
            lines.append(f"• {label}: {model_text_html(value)}")
        blocks.append("\n".join(lines))
    return blocks


async def _send_verdict(
    update: Update,
    rendered: str,
    helper: list[str],
    keyboard: InlineKeyboardMarkup | None,
    *,
    about: int | None = None,
) -> None:
    """The short verdict, answering the buyer's message `about` (its details quote that
    message again rather than keeping it). The AI helper's words follow in a message of
    their own, so the verdict keeps to one screen."""
    chat = update.effective_chat
    if chat is None:
        return
    where = ReplyParameters(about, allow_sending_without_reply=True) if about else None
    await chat.send_message(rendered, reply_markup=keyboard, reply_parameters=where)
    if helper:
        await reply_in_pieces(update, split_message("\n\n".join(helper)))


def _rows(keyboard: InlineKeyboardMarkup | None) -> int:
    return len(keyboard.inline_keyboard) if keyboard is not None else 0


async def _record(
    update: Update, context: BotContext, check: PaymentCheck, text: str, source: str
) -> int | None:
    user = update.effective_user
    if user is None:
        return None
    return await context.services.payments.record(
        user.id, check, text, source=source, keep_text=context.state.keep_texts
    )


def _keyboard(
    context: BotContext, check: PaymentCheck, check_id: int | None, answer: str = ""
) -> InlineKeyboardMarkup | None:
    return _markup(_first_row(context, check, check_id, "why", answer), check_id, context)


def _first_row(
    context: BotContext,
    check: PaymentCheck,
    check_id: int | None,
    turn_to: str,
    answer: str = "",
) -> list[InlineKeyboardButton]:
    """Copy the reply, and turn the message to its details ("why") or back ("back");
    `answer` is the payee the buyer named, said again at the top of the short form."""
    row = []
    reply_zh = check.decline_reply_zh if check.verdict is not Verdict.UNCLEAR else None
    if reply_zh and len(reply_zh) <= MAX_COPY_TEXT:
        copy = CopyTextButton(reply_zh)
        row.append(InlineKeyboardButton(context.text("pay_btn_copy"), copy_text=copy))
    if check_id is not None and (check.signals or turn_to == "back"):
        label = context.text("pay_btn_why" if turn_to == "why" else "pay_btn_back")
        data = routes.PAYMENT_DETAILS.pack(check_id, turn_to, answer or "-")
        row.append(InlineKeyboardButton(label, callback_data=data))
    return row


def _markup(
    first: list[InlineKeyboardButton], check_id: int | None, context: BotContext
) -> InlineKeyboardMarkup | None:
    rows = [first] if first else []
    if check_id is not None:
        rows.append(_feedback_row(context, check_id))
    return InlineKeyboardMarkup(rows) if rows else None


def _feedback_row(context: BotContext, check_id: int) -> list[InlineKeyboardButton]:
    labels = (
        ("right", "pay_btn_right"),
        ("too_strict", "pay_btn_too_strict"),
        ("too_lenient", "pay_btn_too_lenient"),
    )
    return [
        InlineKeyboardButton(
            context.text(key), callback_data=routes.PAYMENT_FEEDBACK.pack(check_id, label)
        )
        for label, key in labels
    ]


async def on_feedback(update: Update, context: BotContext) -> None:
    query = update.callback_query
    parts = routes.PAYMENT_FEEDBACK.unpack(query.data if query else None)
    user = update.effective_user
    check_id = parse_number(parts[0]) if parts else None
    if query is None or user is None or parts is None or check_id is None:
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return
    label = parts[1]
    if label not in FEEDBACK_LABELS:
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return
    if not await context.services.payments.feedback(user.id, check_id, label):
        await acknowledge(update, context, context.text("pay_feedback_unknown"), alert=True)
        return
    await acknowledge(update, context, context.text("pay_feedback_thanks"))
    await _drop_feedback_row(query.message)


async def _drop_feedback_row(message: object) -> None:
    """Keep the copy and details buttons, remove the question that has been answered."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    rows = [row for row in message.reply_markup.inline_keyboard if not _is_feedback_row(row)]
    await message.edit_reply_markup(InlineKeyboardMarkup(rows) if rows else None)


def _is_feedback_row(row: Sequence[InlineKeyboardButton]) -> bool:
    return any(
        routes.PAYMENT_FEEDBACK.unpack(str(button.callback_data or "")) is not None
        for button in row
    )


async def on_details(update: Update, context: BotContext) -> None:
    """ "Why?" turns the short verdict into its details in place; "Back" turns it back.

    Both are rebuilt from what was recorded (the verdict and the codes of the findings)
    and quoted from the buyer's own message, which the verdict answers, or from the text
    read from their picture, which the message shows in a collapsed quote. Nothing of the
    message is stored for this."""
    query = update.callback_query
    parts = routes.PAYMENT_DETAILS.unpack(query.data if query else None)
    user = update.effective_user
    check_id = parse_number(parts[0]) if parts else None
    message = query.message if query is not None else None
    if (
        query is None
        or user is None
        or parts is None
        or check_id is None
        or parts[1] not in ("why", "back")
        or not isinstance(message, Message)
    ):
        await acknowledge(update, context, context.text("button_expired_alert"), alert=True)
        return
    recorded = await context.services.payments.recorded(user.id, check_id)
    if recorded is None:
        await acknowledge(update, context, context.text("pay_details_gone"), alert=True)
        return
    await acknowledge(update, context)
    verdict, codes = recorded
    asked = message.reply_to_message
    text = (asked.text or asked.caption or "") if asked is not None else ""
    image_text = _collapsed_text(message)
    source = "\n".join(part for part in (text, image_text or "") if part.strip())
    check = restored(verdict, codes, source)
    feedback = [
        row
        for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
        if _is_feedback_row(row)
    ]
    answer = parts[2] if parts[2] in PAYEE_ANSWERS else ""
    if parts[1] == "why":
        first = _first_row(context, check, check_id, "back", answer)
        keyboard = InlineKeyboardMarkup([first, *feedback])
        rendered = render_check(check, context.language, image_text=image_text)
    else:
        first = _first_row(context, check, check_id, "why", answer)
        keyboard = InlineKeyboardMarkup([first, *feedback])
        heard = ""
        if answer:
            said = context.text(f"pay_ask_payee_{answer}")
            heard = context.text("pay_ask_heard", answer=said)
        rendered = render_short(
            check,
            context.language,
            button_rows=_rows(keyboard),
            lead=heard,
            image_text=image_text,
        )
    await message.edit_text(rendered, reply_markup=keyboard)


def _collapsed_text(message: Message) -> str | None:
    """What was read from a picture, as the message shows it in its collapsed quote."""
    for entity in message.entities:
        if entity.type == MessageEntity.EXPANDABLE_BLOCKQUOTE:
            return message.parse_entity(entity)
    return None


FLOW = GuidedFlow(
    name="payment",
    route=None,
    questions=(
        Question(
            "request",
            catalogue_prompt("pay_prompt"),
            typed=_request_typed,
            skippable=False,
            repeat_prompt=False,
        ),
    ),
    texts=FlowTexts(stale="button_expired_alert", use_buttons="pay_prompt_again"),
    idle=timedelta(minutes=15),
)


def conversation(fallbacks: list[AnyHandler]) -> StoredConversation:
    """/pay or the menu button without a message: wait for the text, forward or picture."""
    return FLOW.conversation(
        entry_points=[
            CommandHandler("pay", pay_command),
            CallbackQueryHandler(ask_for_request, pattern=MENU.exact("pay")),
        ],
        fallbacks=fallbacks,
        asking=[MessageHandler(IMAGES, check_image)],
    )


# Outside any conversation: what is obviously a payment request gets checked unasked.
UNPROMPTED: list[AnyHandler] = [
    MessageHandler(
        filters.FORWARDED & (filters.TEXT | filters.CAPTION) & ~IMAGES, check_message_text
    ),
    MessageHandler(IMAGES, check_image),
    MessageHandler(filters.TEXT & ~filters.COMMAND & _FRESH & PAYMENT_TALK, check_message_text),
    CallbackQueryHandler(on_feedback, pattern=routes.PAYMENT_FEEDBACK.pattern),
    CallbackQueryHandler(on_details, pattern=routes.PAYMENT_DETAILS.pattern),
]
