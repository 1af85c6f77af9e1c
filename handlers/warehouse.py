"""/warehouse: where the buyer's goods should be signed for (a forwarder's or an agent's
warehouse), so a logistics trace signed anywhere else is flagged.

See warehouse.mmd for the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AnyHandler, BotContext
from bot.domain.warehouses import HUBS, Warehouse, parse_place, phone_last4
from handlers import routes
from handlers.conversation import StoredConversation
from handlers.guided import (
    Answer,
    Choice,
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
from handlers.replies import acknowledge, replace_or_reply
from handlers.routes import MENU


def _place_prompt(turn: Turn) -> str:
    saved = turn.state.notes.get("saved")
    lead = turn.text("wh_current", place=saved) if isinstance(saved, str) else ""
    return (lead + "\n\n" if lead else "") + turn.text("wh_ask_place")


def _hubs(turn: Turn) -> list[Choice]:
    return [
        Choice(f"hub{index}", f"{city} {district}" if district else city)
        for index, (city, district) in enumerate(HUBS)
    ]


async def _typed_place(turn: Turn, text: str) -> Outcome:
    place = parse_place(text)
    if place is None:
        return Problem(turn.text("wh_place_unknown"))
    city, district = place
    return Answer({"city": city, "district": district})


async def _typed_phone(turn: Turn, text: str) -> Outcome:
    digits = phone_last4(text)
    if digits is None:
        return Problem(turn.text("wh_phone_unknown"))
    return Answer(digits)


def _warehouse_of(state: FlowState) -> Warehouse | None:
    place, phone = state.answer("place"), state.answer("phone")
    if isinstance(place, str) and place.startswith("hub") and place[3:].isdigit():
        index = int(place[3:])
        if index >= len(HUBS):
            return None
        city, district = HUBS[index]
    elif isinstance(place, dict) and isinstance(place.get("city"), str):
        city = str(place["city"])
        district = place.get("district") if isinstance(place.get("district"), str) else None
    else:
        return None
    return Warehouse(city, district, phone if isinstance(phone, str) else None)


async def _saved(turn: Turn, lead: str) -> None:
    warehouse, user = _warehouse_of(turn.state), turn.update.effective_user
    if warehouse is None or user is None:
        return
    await turn.context.services.users.set_warehouse(user.id, warehouse)
    phone = turn.text("wh_phone_kept", digits=warehouse.phone4) if warehouse.phone4 else ""
    text = turn.text("wh_saved", place=warehouse.place) + (f"\n{phone}" if phone else "")
    await replace_or_reply(turn.update, text, menu_button(turn.language))


async def ask_warehouse(update: Update, context: BotContext) -> int:
    await acknowledge(update, context)
    state = FlowState()
    user = update.effective_user
    saved = await context.services.users.warehouse(user.id) if user else None
    if saved is not None:
        state.notes["saved"] = saved.place
    turn = FLOW.turn(update, context, state)
    typed = " ".join(context.args or []) if update.message else ""
    if typed:
        outcome = await _typed_place(turn, typed)
        if isinstance(outcome, Answer):
            return await FLOW.record(turn, FLOW.questions[0], outcome.value)
    return await FLOW.ask_next(turn)


FLOW = GuidedFlow(
    name="warehouse",
    route=routes.WAREHOUSE,
    questions=(
        Question(
            "place",
            _place_prompt,
            choices=_hubs,
            row_sizes=(3, 3),
            typed=_typed_place,
            skippable=False,
        ),
        Question("phone", catalogue_prompt("wh_ask_phone"), typed=_typed_phone),
    ),
    texts=FlowTexts(stale="button_expired_alert", use_buttons="wh_ask_place", skip="wh_skip"),
    finish=_saved,
    idle=timedelta(minutes=15),
)


def conversation(fallbacks: Sequence[AnyHandler]) -> StoredConversation:
    return FLOW.conversation(
        entry_points=[
            CommandHandler("warehouse", ask_warehouse),
            CallbackQueryHandler(ask_warehouse, pattern=MENU.exact("warehouse")),
        ],
        fallbacks=fallbacks,
    )
