"""Quick supplier check: a link or a pasted shop profile, then a guided check in a few taps.

Every question can be skipped with "Don't know". See suppliers.mmd for the flow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

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
from bot.db import supplier_checks
from bot.domain.counterfeits import check_listing
from bot.domain.extraction_checks import looks_like_profile
from bot.domain.links.classify import LinkCheck, LinkKind, classify_link, find_links
from bot.domain.suppliers.registry import check_uscc
from bot.domain.suppliers.scorecard import (
    BADGES,
    Category,
    SupplierFacts,
    classify_scope,
    live_test_request_zh,
    match_names,
    parse_profile,
    score_supplier,
)
from bot.domain.timezones import BEIJING
from bot.render.suppliers import (
    CHECKABLE_KINDS,
    facts_from_json,
    facts_to_json,
    render_link,
    render_scorecard,
)
from handlers.callback_data import CallbackRoute, parse_number
from handlers.guided import question_conversation
from handlers.keyboards import MENU, menu_button
from handlers.payments import PAYMENT_TALK
from handlers.replies import acknowledge, assistant_note, replace_or_reply, reply

ANSWER = CallbackRoute("sup", arity=2)  # sup|<step>|<value>
BEGIN = CallbackRoute("supgo")  # supgo|check: start the guided check after a link verdict
REOPEN = CallbackRoute("supl")  # supl|<saved check id>
ASKING = 1
SKIP = "skip"
# A pasted profile is recognised when it fills at least this many fields.
PROFILE_MIN_FIELDS = 2
MAX_TYPED_ANSWER = 3000


@dataclass(frozen=True)
class Step:
    """One question of the guided check."""

    code: str
    options: tuple[str, ...] = ()  # button values; labels are catalogue `sup_opt_<code>_<value>`
    typed: bool = False  # the answer is typed (or pasted) text
    multi: bool = False  # several options can be ticked before "done"

    def prompt_key(self) -> str:
        return f"sup_ask_{self.code}"


STEPS: tuple[Step, ...] = (
    Step("badges", options=BADGES, multi=True),
    Step("chengxintong_years", options=("1", "3", "6")),
    Step("licence_scope", typed=True),
    Step("uscc", typed=True),
    Step("shop_company", typed=True),
    Step("licence_name", typed=True),
    Step("beneficiary", typed=True),
    Step("category", options=tuple(category.value for category in Category)),
    Step("repeat_rate", typed=True),
    Step("has_factory_video", options=("yes", "no")),
    Step("live_test_passed", options=("yes", "no")),
    Step("listing_text", typed=True),
)
STEPS_BY_CODE = {step.code: step for step in STEPS}


@dataclass
class Draft:
    """The check in progress, kept in the user's state between answers."""

    facts: SupplierFacts
    asked: list[str]
    current: str | None = None
    ticked: list[str] | None = None
    link_url: str | None = None
    link_kind: str | None = None
    label: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "facts": facts_to_json(self.facts),
            "asked": self.asked,
            "current": self.current,
            "ticked": self.ticked,
            "link_url": self.link_url,
            "link_kind": self.link_kind,
            "label": self.label,
        }

    @classmethod
    def from_json(cls, saved: dict[str, Any]) -> Draft:
        return cls(
            facts=facts_from_json(saved.get("facts", {})),
            asked=list(saved.get("asked", [])),
            current=saved.get("current"),
            ticked=saved.get("ticked"),
            link_url=saved.get("link_url"),
            link_kind=saved.get("link_kind"),
            label=saved.get("label"),
        )


def _load(context: BotContext) -> Draft | None:
    saved = context.state.flow.get("supplier")
    return Draft.from_json(saved) if isinstance(saved, dict) else None


def _store(context: BotContext, draft: Draft | None) -> None:
    if draft is None:
        context.state.flow.pop("supplier", None)
    else:
        context.state.flow["supplier"] = draft.to_json()


# -- entry: links, profiles, /check, the menu ------------------------------------------


async def link_sent(update: Update, context: BotContext) -> int:
    """A message with a link: say what it is, then offer the guided check."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    return await _answer_link(update, context, classify_link(text))


async def check_command(update: Update, context: BotContext) -> int:
    message = update.effective_message
    typed = (message.text or "").partition(" ")[2].strip() if message else ""
    if not typed:
        await replace_or_reply(update, context.text("sup_prompt"))
        return ASKING
    return await _entry_text(update, context, typed)


async def from_menu(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    _store(context, None)
    await replace_or_reply(update, context.text("sup_prompt"))
    return ASKING


async def profile_pasted(update: Update, context: BotContext) -> int:
    message = update.effective_message
    profile = parse_profile((message.text or "") if message else "")
    return await _begin(update, context, profile, announce_profile=True)


async def begin_pressed(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    pending = context.state.flow.get("supplier_link")
    link = pending if isinstance(pending, dict) else {}
    return await _begin(
        update,
        context,
        SupplierFacts(),
        link_url=link.get("url"),
        link_kind=link.get("kind"),
        label=link.get("label"),
    )


async def _answer_link(update: Update, context: BotContext, check: LinkCheck) -> int:
    if check.kind is LinkKind.NONE:
        await reply(update, context.text("sup_no_link"))
        return ASKING
    keyboard = None
    if check.kind in CHECKABLE_KINDS:
        context.state.flow["supplier_link"] = {
            "url": check.url,
            "kind": check.kind.value,
            "label": _link_label(check),
        }
        start = InlineKeyboardButton(
            context.text("sup_btn_begin"), callback_data=BEGIN.pack("check")
        )
        keyboard = InlineKeyboardMarkup([[start]])
    await reply(update, render_link(check, context.language), keyboard)
    return ConversationHandler.END


def _link_label(check: LinkCheck) -> str:
    if check.title:
        return check.title
    if check.shop_id:
        return f"{check.platform or '1688'} shop {check.shop_id}"
    if check.offer_id:
        return f"{check.platform or '1688'} offer {check.offer_id}"
    return check.url or "supplier"


def _filled(facts: SupplierFacts) -> int:
    return sum(value is not None for value in facts_to_json(facts).values())


async def _begin(
    update: Update,
    context: BotContext,
    facts: SupplierFacts,
    *,
    announce_profile: bool = False,
    read_by_model: tuple[str, ...] = (),
    link_url: str | None = None,
    link_kind: str | None = None,
    label: str | None = None,
) -> int:
    draft = Draft(facts=facts, asked=[], link_url=link_url, link_kind=link_kind, label=label)
    intro = context.text("sup_intro")
    if announce_profile:
        intro = _profile_intro(context, facts, read_by_model)
    return await _ask_next(update, context, draft, intro)


def _profile_intro(
    context: BotContext, facts: SupplierFacts, read_by_model: tuple[str, ...]
) -> str:
    """What the paste filled in, the AI helper's part named apart from the rules'."""

    def names(fields: list[str] | tuple[str, ...]) -> str:
        return ", ".join(context.text(f"sup_factor_name_{name}") for name in fields)

    by_rules = [name for name in facts_to_json(facts) if name not in read_by_model]
    if not read_by_model:
        return context.text("sup_profile_filled", fields=names(by_rules))
    if not by_rules:
        return context.text("sup_profile_ai_only", fields=names(read_by_model))
    return (
        context.text("sup_profile_filled", fields=names(by_rules))
        + "\n"
        + context.text("sup_profile_ai_filled", fields=names(read_by_model))
    )


# -- asking and answering ----------------------------------------------------------------


def _next_step(draft: Draft) -> Step | None:
    for step in STEPS:
        if step.code in draft.asked or getattr(draft.facts, step.code) is not None:
            continue
        # 诚信通 years only matter when the shop has 诚信通.
        if step.code == "chengxintong_years" and "chengxintong" not in (draft.facts.badges or ()):
            continue
        return step
    return None


async def _ask_next(update: Update, context: BotContext, draft: Draft, lead: str = "") -> int:
    step = _next_step(draft)
    if step is None:
        await _finish(update, context, draft, lead)
        return ConversationHandler.END
    draft.current = step.code
    draft.ticked = [] if step.multi else None
    _store(context, draft)
    text = "\n\n".join(part for part in (lead, _question(context, draft, step)) if part)
    # A button answer turns its question into the next one: one message per step.
    await replace_or_reply(update, text, _keyboard(context, step, draft))
    return ASKING


def _question(context: BotContext, draft: Draft, step: Step) -> str:
    if step.code == "live_test_passed":
        today = context.clock.now().astimezone(BEIJING).date()
        company = draft.facts.licence_name or draft.facts.shop_company
        return context.text(step.prompt_key(), request=live_test_request_zh(company, today))
    return context.text(step.prompt_key())


def _keyboard(context: BotContext, step: Step, draft: Draft) -> InlineKeyboardMarkup:
    ticked = set(draft.ticked or [])
    rows = []
    for value in step.options:
        label = context.text(f"sup_opt_{step.code}_{value}")
        if step.multi and value in ticked:
            label = f"✅ {label}"
        rows.append([InlineKeyboardButton(label, callback_data=ANSWER.pack(step.code, value))])
    if step.code == "live_test_passed":
        today = context.clock.now().astimezone(BEIJING).date()
        company = draft.facts.licence_name or draft.facts.shop_company
        copy = CopyTextButton(live_test_request_zh(company, today)[:256])
        rows.insert(0, [InlineKeyboardButton(context.text("sup_btn_copy"), copy_text=copy)])
    last = [
        InlineKeyboardButton(
            context.text("sup_btn_skip"), callback_data=ANSWER.pack(step.code, SKIP)
        )
    ]
    if step.multi:
        done = InlineKeyboardButton(
            context.text("sup_btn_done"), callback_data=ANSWER.pack(step.code, "done")
        )
        none = InlineKeyboardButton(
            context.text("sup_btn_none"), callback_data=ANSWER.pack(step.code, "none")
        )
        rows.append([done, none])
    rows.append(last)
    return InlineKeyboardMarkup(rows)


async def button_answer(update: Update, context: BotContext) -> int:
    parts = ANSWER.unpack(update.callback_query.data if update.callback_query else None)
    draft = _load(context)
    if parts is None or draft is None or parts[0] != draft.current:
        await acknowledge(update, context.text("sup_stale_question"), alert=True)
        return ASKING if draft is not None else ConversationHandler.END
    step, value = STEPS_BY_CODE[parts[0]], parts[1]
    if step.multi and value in step.options:
        return await _toggle(update, context, draft, value)
    if value not in (*step.options, SKIP, "done", "none"):
        await acknowledge(update, context.text("sup_stale_question"), alert=True)
        return ASKING
    await acknowledge(update)
    return await _record(update, context, draft, step, _button_value(step, value, draft))


def _button_value(step: Step, value: str, draft: Draft) -> object:
    if value == SKIP:
        return None
    if step.code == "badges":
        return frozenset() if value == "none" else frozenset(draft.ticked or [])
    if step.code == "chengxintong_years":
        return int(value)
    if step.code == "category":
        return Category(value)
    return value == "yes"


async def _toggle(update: Update, context: BotContext, draft: Draft, value: str) -> int:
    ticked = set(draft.ticked or [])
    ticked ^= {value}
    draft.ticked = sorted(ticked)
    _store(context, draft)
    await acknowledge(update)
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        step = STEPS_BY_CODE[draft.current or "badges"]
        await query.message.edit_reply_markup(_keyboard(context, step, draft))
    return ASKING


async def typed_answer(update: Update, context: BotContext) -> int:
    message = update.effective_message
    text = ((message.text or "") if message else "").strip()[:MAX_TYPED_ANSWER]
    draft = _load(context)
    if draft is None:
        # /check without a link: this text is the link or the profile.
        return await _entry_text(update, context, text)
    step = STEPS_BY_CODE.get(draft.current or "")
    if step is None or not step.typed:
        await reply(update, context.text("sup_use_buttons"))
        return ASKING
    parse = _TYPED_PARSERS.get(step.code, _plain_text)
    value, problem = parse(text)
    if problem is not None:
        await reply(update, context.text(problem), _keyboard(context, step, draft))
        return ASKING
    return await _record(update, context, draft, step, value)


async def _entry_text(update: Update, context: BotContext, text: str) -> int:
    profile = parse_profile(text)
    if _filled(profile) >= PROFILE_MIN_FIELDS and not find_links(text):
        return await _begin(update, context, profile, announce_profile=True)
    if context.services.llm is not None and not find_links(text) and looks_like_profile(text):
        return await _profile_read_by_model(update, context, text, profile)
    return await _answer_link(update, context, classify_link(text))


async def _profile_read_by_model(
    update: Update, context: BotContext, text: str, known: SupplierFacts
) -> int:
    """A profile the rules could read too little of: the AI helper fills what it finds.

    bot.domain.extraction_checks keeps only values found in the paste, for fields the
    rules left empty, and none that would count in the supplier's favour (a manufacturing
    scope, an established shop): those stay open for the usual question."""
    model, user = context.services.llm, update.effective_user
    if model is None:
        return await _answer_link(update, context, classify_link(text))
    result = await read_profile(model, text, user_id=user.id if user else None, known=known)
    if not result.added:
        # Nothing usable: today's answer to a text without a link, and why, if it failed.
        note = assistant_note(context, result.miss)
        await reply(update, "\n\n".join(p for p in (context.text("sup_no_link"), note) if p))
        return ASKING
    return await _begin(
        update, context, result.facts, announce_profile=True, read_by_model=result.added
    )


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


_TYPED_PARSERS: dict[str, Callable[[str], tuple[object, str | None]]] = {
    "uscc": _uscc,
    "repeat_rate": _repeat_rate,
}


async def _record(
    update: Update, context: BotContext, draft: Draft, step: Step, value: object
) -> int:
    draft.asked.append(step.code)
    # The step's parser or button mapping produced the type of the field it fills.
    answer: dict[str, Any] = {step.code: value}
    draft.facts = replace(draft.facts, **answer)
    lead = _feedback(context, step, draft.facts) if value is not None else ""
    return await _ask_next(update, context, draft, lead)


def _feedback(context: BotContext, step: Step, facts: SupplierFacts) -> str:
    """A one-line reaction to an answer that tells the user something new."""
    if step.code == "licence_scope" and facts.licence_scope:
        scope = classify_scope(facts.licence_scope)
        evidence = "、".join(scope.evidence) or "–"
        return (
            context.text(f"sup_scope_{scope.kind}")
            + " "
            + context.text("sup_evidence", evidence=evidence)
        )
    if step.code == "uscc":
        return context.text("sup_uscc_valid")
    if step.code == "badges" and facts.badges:
        return "\n".join(context.text(f"sup_badge_{badge}") for badge in sorted(facts.badges))
    if step.code == "beneficiary":
        names = match_names(facts.shop_company, facts.licence_name, facts.beneficiary)
        if names.personal_name:
            return context.text("sup_personal_beneficiary", name=names.personal_name)
    if step.code == "listing_text" and facts.listing_text:
        risk = check_listing(facts.listing_text).risk
        return context.text(f"ip_risk_{risk.value}")
    return ""


async def _finish(update: Update, context: BotContext, draft: Draft, lead: str) -> None:
    card = score_supplier(draft.facts)
    label = draft.label or draft.facts.licence_name or draft.facts.shop_company
    label = label or context.text("sup_default_label")
    user = update.effective_user
    if user is not None:
        async with context.session() as session, session.begin():
            await supplier_checks.save_check(
                session,
                user.id,
                label=label,
                overall=card.overall.value,
                facts=facts_to_json(draft.facts),
                now=context.clock.now(),
                link_url=draft.link_url,
                link_kind=draft.link_kind,
            )
    _store(context, None)
    context.state.flow.pop("supplier_link", None)
    text = "\n\n".join(
        part for part in (lead, render_scorecard(card, label, context.language)) if part
    )
    await replace_or_reply(update, text, _after_card(context))


def _after_card(context: BotContext) -> InlineKeyboardMarkup:
    mine = InlineKeyboardButton(context.text("sup_btn_mine"), callback_data=MENU.pack("suppliers"))
    back = InlineKeyboardButton(context.text("btn_menu"), callback_data=MENU.pack("show"))
    return InlineKeyboardMarkup([[mine], [back]])


async def not_understood(update: Update, context: BotContext) -> int:
    draft = _load(context)
    step = STEPS_BY_CODE.get(draft.current or "") if draft else None
    if draft is None or step is None:
        await reply(update, context.text("sup_prompt"))
    else:
        await reply(update, context.text("sup_use_buttons"), _keyboard(context, step, draft))
    return ASKING


# -- /suppliers: past checks ---------------------------------------------------------------


async def list_checks(update: Update, context: BotContext) -> None:
    await acknowledge(update)
    user = update.effective_user
    if user is None:
        return
    async with context.session() as session:
        checks = await supplier_checks.recent_checks(session, user.id)
    if not checks:
        await replace_or_reply(
            update, context.text("sup_none_saved"), menu_button(context.language)
        )
        return
    rows = []
    for check in checks:
        rating = context.text(f"sup_rating_icon_{check.overall}")
        day = check.created_at.astimezone(BEIJING).strftime("%d %b")
        label = f"{rating} {check.label[:40]} · {day}"
        rows.append([InlineKeyboardButton(label, callback_data=REOPEN.pack(check.id))])
    await replace_or_reply(update, context.text("sup_saved_title"), InlineKeyboardMarkup(rows))


async def reopen(update: Update, context: BotContext) -> None:
    parts = REOPEN.unpack(update.callback_query.data if update.callback_query else None)
    user = update.effective_user
    record = None
    check_id = parse_number(parts[0]) if parts else None
    if check_id is not None and user is not None:
        async with context.session() as session:
            record = await supplier_checks.get_check(session, user.id, check_id)
    if record is None:
        await acknowledge(update, context.text("sup_check_gone"), alert=True)
        return
    await acknowledge(update)
    card = score_supplier(facts_from_json(record.facts))
    await reply(
        update, render_scorecard(card, record.label, context.language), _after_card(context)
    )


class _HasLink(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return bool(find_links(message.text or message.caption or ""))


class _IsProfile(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return _filled(parse_profile(message.text or "")) >= PROFILE_MIN_FIELDS


HAS_LINK = _HasLink(name="HasLink")
IS_PROFILE = _IsProfile(name="ShopProfile")
_FRESH_TEXT = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED


def conversation(fallbacks: list[AnyHandler]) -> ConversationHandler[BotContext]:
    entry_points: list[AnyHandler] = [
        CommandHandler("check", check_command),
        CallbackQueryHandler(from_menu, pattern=MENU.exact("check")),
        CallbackQueryHandler(begin_pressed, pattern=BEGIN.pattern),
        # Payment talk with a link in it is the payment checker's (it checks the link too).
        MessageHandler(_FRESH_TEXT & HAS_LINK & ~PAYMENT_TALK, link_sent),
        MessageHandler(_FRESH_TEXT & IS_PROFILE, profile_pasted),
    ]
    return question_conversation(
        name="supplier_check",
        entry_points=entry_points,
        button=CallbackQueryHandler(button_answer, pattern=ANSWER.pattern),
        typed=typed_answer,
        other=not_understood,
        fallbacks=fallbacks,
    )


SAVED_CHECKS: list[AnyHandler] = [
    CommandHandler("suppliers", list_checks),
    CallbackQueryHandler(list_checks, pattern=MENU.exact("suppliers")),
    CallbackQueryHandler(reopen, pattern=REOPEN.pattern),
]
