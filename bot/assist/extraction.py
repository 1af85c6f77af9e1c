"""Reading a pasted order page or shop profile with the model, checked by our rules.

The model only points at words: "the countdown is `6天23小时59分`", "the company is
`…有限公司`". Whatever it says is checked by bot.domain.extraction_checks (found in the
pasted text, understood by our own parsers, not in the supplier's favour) before anything
uses it, and deadlines are computed by our parsers from the quoted words. The order flow
then asks the user to confirm; the supplier flow fills only fields the rules left empty.
The pasted text goes in fenced as data (bot.adapters.prompts.untrusted_block).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import pydantic

from bot.adapters.llm import LanguageModel, Miss
from bot.adapters.prompts import template
from bot.domain.extraction_checks import (
    OrderReading,
    ProposedProfile,
    check_order_reading,
    check_profile_reading,
)
from bot.domain.suppliers.scorecard import SupplierFacts

log = logging.getLogger(__name__)


# Strict structured outputs need every field listed and present: "not found" is null, not
# a missing key. The descriptions travel in the JSON schema and repeat the prompt's rules.
class OrderPageFields(pydantic.BaseModel):
    countdown: str | None = pydantic.Field(
        description="The time left before automatic confirmation of receipt, copied exactly"
    )
    deadline: str | None = pydantic.Field(
        description="The date and time of automatic confirmation of receipt, copied exactly"
    )
    order_number: str | None = pydantic.Field(description="The order number, copied exactly")


class ProfileFields(pydantic.BaseModel):
    company_name: str | None = pydantic.Field(
        description="The supplier's full registered company name, copied exactly"
    )
    business_scope: str | None = pydantic.Field(
        description="The business scope (经营范围), copied exactly"
    )
    credit_code: str | None = pydantic.Field(
        description="The 18-character unified social credit code, copied exactly"
    )
    repeat_rate_percent: float | None = pydantic.Field(
        description="The repeat purchase rate (回头率/复购率) in percent, as shown"
    )
    trustpass_years: int | None = pydantic.Field(
        description="How many years of 诚信通 (TrustPass) the shop shows"
    )


@dataclass(frozen=True)
class OrderPageResult:
    reading: OrderReading | None = None  # None: nothing the rules could confirm
    miss: Miss | None = None  # the model gave no answer at all


@dataclass(frozen=True)
class ProfileResult:
    facts: SupplierFacts  # the rules' facts plus the model's that passed every check
    added: tuple[str, ...] = ()  # the SupplierFacts fields the model filled
    miss: Miss | None = None


async def read_order_page(
    model: LanguageModel, text: str, *, user_id: int | None, now: datetime
) -> OrderPageResult:
    """The countdown (or auto-confirm time) and order number of a pasted order page, as
    our parsers read the words the model pointed at; `now` is when the page was pasted,
    the moment its countdown was read."""
    outcome = await model.ask(
        template("extract_order"), OrderPageFields, user_id=user_id, untrusted={"page": text}
    )
    if outcome.answer is None:
        return OrderPageResult(miss=outcome.miss)
    fields = outcome.answer
    reading = check_order_reading(
        countdown=fields.countdown,
        deadline=fields.deadline,
        order_number=fields.order_number,
        text=text,
        now=now,
    )
    # What was proposed and what survived, never the words themselves (they are the
    # user's data): enough to see how often the model points at nothing real.
    log.info(
        "order page read: countdown=%s deadline=%s number=%s, kept=%s",
        fields.countdown is not None,
        fields.deadline is not None,
        fields.order_number is not None,
        "countdown" if reading and reading.from_countdown else "deadline" if reading else "none",
    )
    return OrderPageResult(reading=reading)


async def read_profile(
    model: LanguageModel, text: str, *, user_id: int | None, known: SupplierFacts
) -> ProfileResult:
    """`known` (what parse_profile read) completed with what the model read, where the
    rules left a field empty and the model's value passes every check."""
    outcome = await model.ask(
        template("extract_profile"), ProfileFields, user_id=user_id, untrusted={"profile": text}
    )
    if outcome.answer is None:
        return ProfileResult(known, miss=outcome.miss)
    fields = outcome.answer
    proposed = ProposedProfile(
        company_name=fields.company_name,
        business_scope=fields.business_scope,
        uscc=fields.credit_code,
        repeat_rate=fields.repeat_rate_percent,
        chengxintong_years=fields.trustpass_years,
    )
    facts, added = check_profile_reading(proposed, text, known)
    offered = sum(value is not None for value in fields.model_dump().values())
    log.info("profile read: model offered %d fields, %d kept", offered, len(added))
    return ProfileResult(facts, added)
