"""Quick supplier check: a link or a pasted shop profile, then a guided check in a few taps.

Every question can be skipped with "Don't know". See suppliers.mmd for the flow.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.assist.extraction import read_profile
from bot.context import AnyHandler, BotContext
from bot.domain.counterfeits import check_listing
from bot.domain.extraction_checks import looks_like_profile
from bot.domain.links.classify import LinkCheck, LinkKind, classify_link, find_links
from bot.domain.masking import mask_private_numbers
from bot.domain.suppliers.registry import check_uscc
from bot.domain.suppliers.scorecard import (
    BADGES,
    Category,
    SupplierFacts,
    classify_scope,
    facts_from_json,
    facts_to_json,
    live_test_request_zh,
    match_names,
    parse_profile,
    score_supplier,
)
from bot.domain.timezones import BEIJING
from bot.render.suppliers import (
    CHECKABLE_KINDS,
    render_link,
    render_scorecard,
    render_scorecard_short,
)
from bot.services.suppliers import Link, SavedCheck
from handlers import routes
from handlers.callback_data import parse_number
from handlers.guided import (
    ASKING,
    Answer,
    Choice,
    FlowState,
    FlowTexts,
    GuidedFlow,
    Handled,
    Outcome,
    Parser,
    Problem,
    Question,
    Turn,
    catalogue_prompt,
)
from handlers.keyboards import menu_button
from handlers.payments import PAYMENT_TALK
from handlers.replies import acknowledge, assistant_note, replace_or_reply, reply

SOURCE = "source"
# A pasted profile is recognised when it fills at least this many fields.
PROFILE_MIN_FIELDS = 2
MAX_TYPED_ANSWER = 3000
YES_NO = ("yes", "no")
# The two faces of a scorecard, toggled in place by "Details" and "Back".
DETAILS, SHORT = "full", "short"


def _filled(facts: SupplierFacts) -> int:
    return len(facts_to_json(facts))


def _facts(state: FlowState) -> SupplierFacts:
    """The answers as facts: buttons carry "3" and "yes", the facts want 3 and True."""
    saved = dict(state.answers)
    years = saved.get("chengxintong_years")
    if isinstance(years, str):
        saved["chengxintong_years"] = int(years) if years.isdigit() else None
    for code in ("has_factory_video", "live_test_passed"):
        if isinstance(saved.get(code), str):
            saved[code] = saved[code] == "yes"
    return facts_from_json({code: value for code, value in saved.items() if code != SOURCE})


# -- entry: links, profiles, /check, the menu ------------------------------------------


async def link_sent(update: Update, context: BotContext) -> int:
    """A message with a link: say what it is, then offer the guided check."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    turn = FLOW.turn(update, context, FlowState())
    return _waiting_or_done(turn, await _answer_link(turn, classify_link(text)))


async def check_command(update: Update, context: BotContext) -> int:
    message = update.effective_message
    typed = (message.text or "").partition(" ")[2].strip() if message else ""
    turn = FLOW.turn(update, context, FlowState())
    if not typed:
        return await FLOW.ask_next(turn)
    outcome = await _read_source(turn, typed)
    if isinstance(outcome, Answer):
        turn.state.preset(outcome.also)
        return await FLOW.record(turn, _SOURCE_QUESTION, outcome.value, outcome.lead)
    return _waiting_or_done(turn, outcome)


def _waiting_or_done(turn: Turn, outcome: Outcome) -> int:
    """After a text that was not the link or profile: still waiting for one, or over."""
    if isinstance(outcome, Handled) and outcome.ended:
        return ConversationHandler.END
    turn.state.step = SOURCE
    turn.save()
    return ASKING


async def from_menu(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    return await FLOW.begin(update, context, FlowState())


async def profile_pasted(update: Update, context: BotContext) -> int:
    message = update.effective_message
    profile = parse_profile((message.text or "") if message else "")
    turn = FLOW.turn(update, context, FlowState())
    return await _begin_with(turn, profile, _profile_intro(turn, profile, ()))


async def begin_pressed(update: Update, context: BotContext) -> int:
    """ "Check this supplier" under a link's verdict: the walk starts from that link."""
    await acknowledge(update, context)
    state = FLOW.load(context) or FlowState()
    state.done = [SOURCE]
    return await FLOW.begin(update, context, state, context.text("sup_intro"))


async def _begin_with(turn: Turn, facts: SupplierFacts, intro: str) -> int:
    turn.state.preset({SOURCE: "profile", **facts_to_json(facts)})
    return await FLOW.ask_next(turn, intro)


async def _read_source(turn: Turn, text: str) -> Outcome:
    """The link or the profile /check is waiting for."""
    profile = parse_profile(text)
    if _filled(profile) >= PROFILE_MIN_FIELDS and not find_links(text):
        intro = _profile_intro(turn, profile, ())
        return Answer("profile", lead=intro, also=facts_to_json(profile))
    model = turn.context.services.llm
    if model is not None and not find_links(text) and looks_like_profile(text):
        return await _profile_read_by_model(turn, text, profile)
    return await _answer_link(turn, classify_link(text))


async def _answer_link(turn: Turn, check: LinkCheck) -> Handled:
    if check.kind is LinkKind.NONE and check.url is None:
        await reply(turn.update, turn.text("sup_no_link"))
        return Handled()
    keyboard = None
    # The verdict ends this conversation; what it found waits for "Check this supplier".
    turn.state = FlowState()
    if check.kind in CHECKABLE_KINDS:
        turn.state.notes = {
            "url": check.url,
            "kind": check.kind.value,
            "label": _label(turn, check),
        }
        begin = routes.SUPPLIER_BEGIN.pack("check")
        start = InlineKeyboardButton(turn.text("sup_btn_begin"), callback_data=begin)
        keyboard = InlineKeyboardMarkup([[start]])
    turn.save()
    await reply(turn.update, render_link(check, turn.language), keyboard)
    return Handled(ended=True)


def _label(turn: Turn, check: LinkCheck) -> str:
    """The card's title, in the user's language: the page's own title when it has one."""
    if check.title:
        return check.title
    platform = check.platform or "1688"
    if check.shop_id:
        return turn.text("sup_label_shop", platform=platform, shop_id=check.shop_id)
    if check.offer_id:
        return turn.text("sup_label_offer", platform=platform, offer_id=check.offer_id)
    return check.url or turn.text("sup_default_label")


async def _profile_read_by_model(turn: Turn, text: str, known: SupplierFacts) -> Outcome:
    """A profile the rules could read too little of: the AI helper fills what it finds.

    bot.domain.extraction_checks keeps only values found in the paste, for fields the
    rules left empty, and none that would count in the supplier's favour (a manufacturing
    scope, an established shop): those stay open for the usual question."""
    model, user = turn.context.services.llm, turn.update.effective_user
    if model is None:
        return await _answer_link(turn, classify_link(text))
    result = await read_profile(model, text, user_id=user.id if user else None, known=known)
    if not result.added:
        # Nothing usable: today's answer to a text without a link, and why, if it failed.
        note = assistant_note(turn.context, result.miss)
        said = "\n\n".join(p for p in (turn.text("sup_no_link"), note) if p)
        await reply(turn.update, said)
        return Handled()
    intro = _profile_intro(turn, result.facts, result.added)
    return Answer("profile", lead=intro, also=facts_to_json(result.facts))


def _profile_intro(turn: Turn, facts: SupplierFacts, read_by_model: tuple[str, ...]) -> str:
    """What the paste filled in, the AI helper's part named apart from the rules'."""

    def names(fields: list[str] | tuple[str, ...]) -> str:
        return ", ".join(turn.text(f"sup_factor_name_{name}") for name in fields)

    by_rules = [name for name in facts_to_json(facts) if name not in read_by_model]
    if not read_by_model:
        return turn.text("sup_profile_filled", fields=names(by_rules))
    if not by_rules:
        return turn.text("sup_profile_ai_only", fields=names(read_by_model))
    return (
        turn.text("sup_profile_filled", fields=names(by_rules))
        + "\n"
        + turn.text("sup_profile_ai_filled", fields=names(read_by_model))
    )


# -- the questions ---------------------------------------------------------------------


def _options(code: str, values: tuple[str, ...]) -> Callable[[Turn], list[Choice]]:
    def choices(turn: Turn) -> list[Choice]:
        ticked = set(turn.state.ticked)
        return [
            Choice(
                value, ("✅ " if value in ticked else "") + turn.text(f"sup_opt_{code}_{value}")
            )
            for value in values
        ]

    return choices


def _typed(parse: Callable[[str], tuple[object, str | None]]) -> Parser:
    async def typed(turn: Turn, text: str) -> Outcome:
        value, problem = parse(text.strip()[:MAX_TYPED_ANSWER])
        return Problem(turn.text(problem)) if problem is not None else Answer(value)

    return typed


def _plain_text(text: str) -> tuple[object, str | None]:
    return (text, None) if text else (None, "sup_empty_answer")


def _uscc(text: str) -> tuple[object, str | None]:
    check = check_uscc(text)
    if not check.valid:
        return None, f"sup_uscc_problem_{check.problem or 'characters'}"
    return check.normalized, None


_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*[%％]?")


def _repeat_rate(text: str) -> tuple[object, str | None]:
    found = _PERCENT.search(text)
    if found is None:
        return None, "sup_rate_not_number"
    rate = float(found[1].replace(",", "."))
    return (rate, None) if 0 <= rate <= 100 else (None, "sup_rate_not_number")


def _live_test_request(turn: Turn) -> str:
    facts = _facts(turn.state)
    today = turn.context.clock.now().astimezone(BEIJING).date()
    return live_test_request_zh(facts.licence_name or facts.shop_company, today)


def _live_test_prompt(turn: Turn) -> str:
    return turn.text("sup_ask_live_test_passed", request=_live_test_request(turn))


def _copy_request(turn: Turn) -> list[list[InlineKeyboardButton]]:
    copy = CopyTextButton(_live_test_request(turn)[:256])
    return [[InlineKeyboardButton(turn.text("sup_btn_copy"), copy_text=copy)]]


def _has_chengxintong(state: FlowState) -> bool:
    """诚信通 years only matter when the shop has 诚信通."""
    badges = state.answer("badges")
    return isinstance(badges, list) and "chengxintong" in badges


def _typed_question(code: str, parse: Callable[[str], tuple[object, str | None]]) -> Question:
    return Question(code, catalogue_prompt(f"sup_ask_{code}"), typed=_typed(parse))


def _choice_question(code: str, values: tuple[str, ...]) -> Question:
    return Question(code, catalogue_prompt(f"sup_ask_{code}"), choices=_options(code, values))


_SOURCE_QUESTION = Question(
    SOURCE,
    catalogue_prompt("sup_prompt"),
    typed=_read_source,
    skippable=False,
    revisitable=False,
    hint="",  # the prompt itself says what to send
)

QUESTIONS: tuple[Question, ...] = (
    _SOURCE_QUESTION,
    Question(
        "badges",
        catalogue_prompt("sup_ask_badges"),
        choices=_options("badges", BADGES),
        multi=True,
        none_choice=True,
    ),
    Question(
        "chengxintong_years",
        catalogue_prompt("sup_ask_chengxintong_years"),
        choices=_options("chengxintong_years", ("1", "3", "6")),
        applies=_has_chengxintong,
    ),
    _typed_question("licence_scope", _plain_text),
    _typed_question("uscc", _uscc),
    _typed_question("shop_company", _plain_text),
    _typed_question("licence_name", _plain_text),
    _typed_question("beneficiary", _plain_text),
    _choice_question("category", tuple(category.value for category in Category)),
    _typed_question("repeat_rate", _repeat_rate),
    _choice_question("has_factory_video", YES_NO),
    Question(
        "live_test_passed",
        _live_test_prompt,
        choices=_options("live_test_passed", YES_NO),
        top_rows=_copy_request,
    ),
    _typed_question("listing_text", _plain_text),
)


async def _react(turn: Turn, question: Question, value: object) -> str:
    """A one-line reaction to an answer that tells the user something new."""
    facts = _facts(turn.state)
    code = question.code
    if code == "licence_scope" and facts.licence_scope:
        scope = classify_scope(facts.licence_scope)
        evidence = "、".join(scope.evidence) or "–"
        return (
            turn.text(f"sup_scope_{scope.kind}")
            + " "
            + turn.text("sup_evidence", evidence=evidence)
        )
    if code == "uscc":
        return turn.text("sup_uscc_valid")
    if code == "badges" and facts.badges:
        return "\n".join(turn.text(f"sup_badge_{badge}") for badge in sorted(facts.badges))
    if code == "beneficiary":
        names = match_names(facts.shop_company, facts.licence_name, facts.beneficiary)
        if names.personal_name:
            return turn.text("sup_personal_beneficiary", name=names.personal_name)
    if code == "listing_text" and facts.listing_text:
        return turn.text(f"ip_risk_{check_listing(facts.listing_text).risk.value}")
    return ""


# -- the scorecard -----------------------------------------------------------------------


async def _finish(turn: Turn, lead: str) -> None:
    facts = _facts(turn.state)
    card = score_supplier(facts)
    notes = turn.state.notes
    label = notes.get("label") or facts.licence_name or facts.shop_company
    # Shown and stored masked: a pasted profile's name may carry a phone number.
    label = mask_private_numbers(label or turn.text("sup_default_label"))
    user = turn.update.effective_user
    check_id = None
    if user is not None:
        link = Link(url=notes.get("url"), kind=notes.get("kind"))
        check_id = await turn.context.services.suppliers.save(
            user.id, label=label, overall=card.overall.value, facts=facts, link=link
        )
    short = render_scorecard_short(card, label, turn.language)
    text = "\n\n".join(part for part in (lead, short) if part)
    await replace_or_reply(turn.update, text, _card_keyboard(turn.context, check_id, DETAILS))


def _card_keyboard(context: BotContext, check_id: int | None, toggle: str) -> InlineKeyboardMarkup:
    """The card's buttons: "Details" on the short form, "Back" on the full one."""
    mine = InlineKeyboardButton(
        context.text("sup_btn_mine"), callback_data=routes.MENU.pack("suppliers")
    )
    back = InlineKeyboardButton(context.text("btn_menu"), callback_data=routes.MENU.pack("show"))
    rows = [[mine, back]]
    if check_id is not None:
        label = context.text("sup_btn_details" if toggle == DETAILS else "sup_btn_back")
        data = routes.SUPPLIER_CARD.pack(check_id, toggle)
        rows.insert(0, [InlineKeyboardButton(label, callback_data=data)])
    return InlineKeyboardMarkup(rows)


# -- /suppliers: past checks ---------------------------------------------------------------


async def list_checks(update: Update, context: BotContext) -> None:
    await acknowledge(update, context)
    user = update.effective_user
    if user is None:
        return
    checks = await context.services.suppliers.recent(user.id)
    if not checks:
        await replace_or_reply(
            update, context.text("sup_none_saved"), menu_button(context.language)
        )
        return
    day_format = context.text("sup_saved_day_format")
    rows = []
    for check in checks:
        rating = context.text(f"sup_rating_icon_{check.overall}")
        day = check.created_at.astimezone(BEIJING).strftime(day_format)
        label = f"{rating} {check.label[:40]} · {day}"
        rows.append(
            [InlineKeyboardButton(label, callback_data=routes.SUPPLIER_SAVED.pack(check.id))]
        )
    await replace_or_reply(update, context.text("sup_saved_title"), InlineKeyboardMarkup(rows))


async def _saved_check(update: Update, context: BotContext, part: str | None) -> SavedCheck | None:
    """The tapped check, if it is this user's; otherwise an alert and None."""
    user = update.effective_user
    check_id = parse_number(part)
    saved = None
    if check_id is not None and user is not None:
        saved = await context.services.suppliers.get(user.id, check_id)
    if saved is None:
        await acknowledge(update, context, context.text("sup_check_gone"), alert=True)
        return None
    await acknowledge(update, context)
    return saved


async def reopen(update: Update, context: BotContext) -> None:
    """A check tapped in /suppliers: its short card, as a new message under the list."""
    parts = routes.SUPPLIER_SAVED.unpack(
        update.callback_query.data if update.callback_query else None
    )
    saved = await _saved_check(update, context, parts[0] if parts else None)
    if saved is None:
        return
    card = score_supplier(saved.facts)
    await reply(
        update,
        render_scorecard_short(card, saved.label, context.language),
        _card_keyboard(context, saved.id, DETAILS),
    )


async def toggle_details(update: Update, context: BotContext) -> None:
    """ "Details" opens the whole card in place; "Back" returns to the short one."""
    parts = routes.SUPPLIER_CARD.unpack(
        update.callback_query.data if update.callback_query else None
    )
    saved = await _saved_check(update, context, parts[0] if parts else None)
    if saved is None or parts is None:
        return
    card = score_supplier(saved.facts)
    if parts[1] == DETAILS:
        text = render_scorecard(card, saved.label, context.language)
        keyboard = _card_keyboard(context, saved.id, SHORT)
    else:
        text = render_scorecard_short(card, saved.label, context.language)
        keyboard = _card_keyboard(context, saved.id, DETAILS)
    await replace_or_reply(update, text, keyboard)


# -- wiring ------------------------------------------------------------------------------


class _HasLink(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return bool(find_links(message.text or message.caption or ""))


class _IsProfile(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return _filled(parse_profile(message.text or "")) >= PROFILE_MIN_FIELDS


HAS_LINK = _HasLink(name="HasLink")
IS_PROFILE = _IsProfile(name="ShopProfile")
_FRESH_TEXT = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED

FLOW = GuidedFlow(
    name="supplier_check",
    route=routes.SUPPLIER_CHECK,
    questions=QUESTIONS,
    texts=FlowTexts(
        stale="sup_stale_question",
        use_buttons="sup_use_buttons",
        skip="sup_btn_skip",
        done="sup_btn_done",
        none="sup_btn_none",
        expired="sup_prompt",
    ),
    finish=_finish,
    on_answer=_react,
)


def conversation(fallbacks: list[AnyHandler]) -> ConversationHandler[BotContext]:
    return FLOW.conversation(
        entry_points=[
            CommandHandler("check", check_command),
            CallbackQueryHandler(from_menu, pattern=routes.MENU.exact("check")),
            CallbackQueryHandler(begin_pressed, pattern=routes.SUPPLIER_BEGIN.pattern),
            # Payment talk with a link in it is the payment checker's (it checks the link too).
            MessageHandler(_FRESH_TEXT & HAS_LINK & ~PAYMENT_TALK, link_sent),
            MessageHandler(_FRESH_TEXT & IS_PROFILE, profile_pasted),
        ],
        fallbacks=fallbacks,
    )


SAVED_CHECKS: list[AnyHandler] = [
    CommandHandler("suppliers", list_checks),
    CallbackQueryHandler(list_checks, pattern=routes.MENU.exact("suppliers")),
    CallbackQueryHandler(reopen, pattern=routes.SUPPLIER_SAVED.pattern),
    CallbackQueryHandler(toggle_details, pattern=routes.SUPPLIER_CARD.pattern),
]
