"""Every assist feature against a model server that answers 200 with a body we did not
expect: HTML, `choices` as a string, `message: null`, content null, missing fields, wrong
JSON types. Through the real openai client, each gives the rules' answer, with exactly one
log line and no exception (it used to be an AttributeError, and no verdict at all)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from bot.adapters.llm import LanguageModel, Miss
from bot.assist.answers import answer_from_guides
from bot.assist.extraction import read_order_page, read_profile
from bot.assist.guides import knowledge_base
from bot.assist.payments import review_payment
from bot.assist.translation import assist_spec
from bot.domain.payments.checker import classify_payment
from bot.domain.spec.builder import build_spec
from bot.domain.suppliers.scorecard import SupplierFacts
from tests.llm_server import MISSING, FakeModelServer, Raw, Reply, odd_completion

# Every field name of every schema, each with a JSON type it does not allow.
WRONG_TYPES = json.dumps(
    {
        "explanation": ["x"],
        "concerns": "urgency",
        "added_risks": {"level": "high_risk"},
        "payment_details": [],
        "status": 7,
        "answer": None,
        "sources": 1,
        "countdown": [],
        "deadline": {},
        "order_number": 5,
        "company_name": [],
        "business_scope": 1,
        "credit_code": {},
        "repeat_rate_percent": "many",
        "trustpass_years": "x",
        "lines": "not a list",
    }
)
HTML = "<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>"

ODD_SHAPES: dict[str, Reply] = {
    "html with 200": Raw(HTML, content_type="text/html"),
    "html labelled as json": Raw(HTML),
    "empty body": Raw(""),
    "a json array": Raw("[]"),
    "a json string": Raw('"ok"'),
    "choices as a string": odd_completion(choices="none today"),
    "choices null": odd_completion(choices=None),
    "choices missing": odd_completion(choices=MISSING),
    "choices empty": odd_completion(choices=[]),
    "choices an object": odd_completion(choices={"0": {"message": {}}}),
    "a choice as a string": odd_completion(choices=["safe"]),
    "message null": odd_completion(choice_message=None),
    "message missing": odd_completion(choice_message=MISSING),
    "message a string": odd_completion(choice_message="approved"),
    "content null": odd_completion(None),
    "content missing": odd_completion(message_content=MISSING),
    "content a number": odd_completion(message_content=42),
    "content prose": odd_completion("Sure! The payment is safe."),
    "content a json array": odd_completion("[1, 2]"),
    "content with wrong types": odd_completion(WRONG_TYPES),
    "content an empty object": odd_completion("{}"),
}

PAYMENT = "请转账到我私人账户 6222 0212 3456 7890 123，可以省税。"
ORDER_PAGE = "订单号：3482915567012345678\n卖家已发货\n还剩6天23小时59分自动确认收货"
PROFILE = "义乌市某某日用品有限公司\n经营范围：日用百货销售"


async def _payments(model: LanguageModel) -> bool:
    check = classify_payment(PAYMENT)
    reviewed = await review_payment(
        model, check, PAYMENT, language="en", user_id=None, explain=str
    )
    return reviewed.miss is Miss.FAILED and reviewed.check == check and not reviewed.added


async def _answers(model: LanguageModel) -> bool:
    question = "How do I use 延长收货?"
    sections = knowledge_base().search(question, "en")
    assert sections
    result = await answer_from_guides(model, question, sections, language="en", user_id=None)
    return result.miss is Miss.FAILED and result.answer is None


async def _order_page(model: LanguageModel) -> bool:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    result = await read_order_page(model, ORDER_PAGE, user_id=None, now=now)
    return result.miss is Miss.FAILED and result.reading is None


async def _profile(model: LanguageModel) -> bool:
    known = SupplierFacts()
    result = await read_profile(model, PROFILE, user_id=None, known=known)
    return result.miss is Miss.FAILED and result.facts == known and not result.added


async def _spec(model: LanguageModel) -> bool:
    spec = build_spec({"product": "insulated tumbler"})
    assisted = await assist_spec(model, spec, language="en", user_id=None)
    return assisted.miss is Miss.FAILED and assisted.spec == spec


FEATURES: dict[str, Callable[[LanguageModel], Awaitable[bool]]] = {
    "payments": _payments,
    "answers": _answers,
    "order page": _order_page,
    "profile": _profile,
    "spec translation": _spec,
}


# The client library warns when it re-serialises a message whose content is a number.
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize("feature", FEATURES)
@pytest.mark.parametrize("shape", ODD_SHAPES)
async def test_an_unexpected_response_shape_falls_back_to_the_rules_with_one_log_line(
    model: LanguageModel,
    model_server: FakeModelServer,
    caplog: pytest.LogCaptureFixture,
    feature: str,
    shape: str,
) -> None:
    model_server.answer(lambda request: ODD_SHAPES[shape])
    caplog.set_level(logging.INFO)

    fell_back = await FEATURES[feature](model)

    assert fell_back
    assert len(model_server.requests) == 1  # a 200 is not retried
    loud = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.name for record in loud] == ["bot.adapters.llm"]
    assert "gave no answer" in loud[0].getMessage()
    assert not any(record.exc_info for record in caplog.records)
