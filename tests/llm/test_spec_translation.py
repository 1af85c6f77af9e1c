"""bot.assist.translation against the local model server: what it sends, how it pairs the
answers with the buyer's wording, and where it stops."""

from __future__ import annotations

import re

from bot.adapters.llm import LanguageModel
from bot.assist.translation import MAX_SENT_ITEMS, assist_spec
from bot.domain.spec.builder import MACHINE, UNKNOWN, build_spec
from tests.llm_server import FakeModelServer, ModelRequest, Reply, as_json


def lines_sent(request: ModelRequest) -> list[str]:
    body = re.search(r"<<<DATA \w+ (\w+)>>>\n(.*?)\n<<<END DATA \1>>>", request.user, re.S)
    assert body is not None
    return body.group(2).split("\n")


def echoing(request: ModelRequest) -> Reply:
    """A model that keeps the numbers we put in front of each line, and marks its words."""
    return as_json(
        {"lines": [f"{line} 〔{request.schema_name}〕" for line in lines_sent(request)]}
    )


async def test_numbers_the_model_echoes_in_front_of_its_lines_are_dropped(
    model: LanguageModel, model_server: FakeModelServer
) -> None:
    model_server.answer(echoing)
    spec = build_spec({"product": "insulated tumbler, 3.5 mm lid gasket"})

    assisted = await assist_spec(model, spec, language="en", user_id=None)

    first, second = (found.zh for found in assisted.translations)
    assert first == "insulated tumbler 〔ChineseSpecLines〕"
    assert second == "3.5 mm lid gasket 〔ChineseSpecLines〕"  # its own 3.5 is kept
    assert all(found.accepted for found in assisted.translations)


async def test_wording_past_the_limit_stays_as_typed(
    model: LanguageModel, model_server: FakeModelServer
) -> None:
    model_server.answer(echoing)
    many = ", ".join(f"zz{letter}" for letter in "abcdefghijklmnopqrst")  # 20 unknown words
    spec = build_spec({"product": many})

    assisted = await assist_spec(model, spec, language="en", user_id=None)

    assert len(lines_sent(model_server.requests[0])) == MAX_SENT_ITEMS
    warnings = [item[0].warning for item in assisted.spec.lines[0].items]
    assert warnings == [MACHINE] * MAX_SENT_ITEMS + [UNKNOWN] * (20 - MAX_SENT_ITEMS)


async def test_without_a_model_the_glossary_result_is_returned_as_it_is() -> None:
    spec = build_spec({"product": "insulated tumbler"})

    assisted = await assist_spec(None, spec, language="en", user_id=None)

    assert assisted.spec == spec
    assert assisted.translations == ()
    assert assisted.miss is None
