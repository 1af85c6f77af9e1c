"""With the AI helper on, a buyer's free question is answered in the model's words from
the guide sections the search found, naming the guide; whatever the model does wrong
(fails, strays from the guides, writes HTML and links), the buyer still gets a safe answer."""

from __future__ import annotations

import re

import pytest

from bot.config import Settings
from tests.conftest import ChatUser, texts
from tests.llm_server import Failure, FakeModelServer, ModelRequest, as_json, with_model
from tests.one_screen import assert_fits_one_screen

QUESTION = "How do I use 延长收货?"


@pytest.fixture
def settings(settings: Settings, model_server: FakeModelServer) -> Settings:
    return with_model(settings, model_server)


def section_ids(request: ModelRequest) -> list[str]:
    """The `[guide#anchor]` headers of the sections the bot sent to the model."""
    return re.findall(r"^\[([a-z0-9-]+#[a-z0-9-]+)\]", request.user, re.MULTILINE)


def answering(text: str) -> object:
    def script(request: ModelRequest) -> object:
        return as_json({"status": "answered", "answer": text, "sources": section_ids(request)[:1]})

    return script


async def test_a_question_is_answered_from_the_guides_naming_the_guide(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    model_server.answer(answering("Open the order and press 延长收货 before the countdown ends."))

    replies = await ann.says(QUESTION)

    answer = texts(replies)
    assert "AI helper" in answer
    assert "press 延长收货 before the countdown ends" in answer
    assert "Sources: “Escrow and the auto-confirm clock” ›" in answer
    assert any(label.startswith("📖 ") for label in ann.buttons())  # opens the source
    (request,) = model_server.requests
    assert request.schema_name == "GuideAnswer"
    assert section_ids(request)  # the retrieved guide sections went in as context
    nonce = re.search(r"<<<DATA question (\w+)>>>", request.user)
    assert nonce is not None
    assert f"{QUESTION}\n<<<END DATA {nonce.group(1)}>>>" in request.user


async def test_a_question_the_guides_do_not_cover_is_said_so(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    model_server.answer(
        lambda request: as_json({"status": "not_in_guides", "answer": "", "sources": []})
    )

    replies = await ann.says(QUESTION)

    assert "My guides don't answer that" in texts(replies)
    assert ann.buttons()  # the closest sections, to read anyway


async def test_an_answer_citing_no_section_it_was_given_is_not_shown(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    model_server.answer(
        lambda request: as_json(
            {"status": "answered", "answer": "Pay by bank transfer.", "sources": ["made-up#x"]}
        )
    )

    replies = await ann.says(QUESTION)

    answer = texts(replies)
    assert "Pay by bank transfer" not in answer
    assert "From my guide “Escrow and the auto-confirm clock”" in answer  # the rules' answer
    assert "did not answer in time" in answer


async def test_a_failing_model_leaves_the_guide_answer_with_a_short_note(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    model_server.answer(lambda request: Failure(500, retry_after=0))

    replies = await ann.says(QUESTION)

    answer = texts(replies)
    assert "From my guide “Escrow and the auto-confirm clock”" in answer
    assert "rule-based answer alone" in answer
    assert len(model_server.requests) == 2  # one retry (OPENAI_MAX_RETRIES=1), then rules


async def test_model_html_and_links_are_shown_as_text_and_never_as_live_links(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    model_server.answer(
        answering(
            '<b>Refund</b> here: <a href="https://evil.example/refund">click</a> or '
            "tg://resolve?domain=fakesupport, or see https://detail.1688.com/offer/123456789.html"
        )
    )

    (message,) = await ann.says(QUESTION)

    assert message.html is not None
    shown = message.text or ""
    assert '<b>Refund</b> here: <a href="https://evil.example/refund">click</a>' in shown
    assert "<a " not in message.html
    # Telegram links bare addresses by itself; in a code span they cannot be tapped open.
    assert "<code>https://evil.example/refund</code>" in message.html
    assert "<code>tg://resolve?domain=fakesupport</code>," in message.html
    assert " https://detail.1688.com/offer/123456789.html" in message.html  # 1688 stays live
    assert not any(e["type"] == "text_link" for e in message.entities)
    send = [call for call in ann.sandbox.calls if call.method == "sendMessage"][-1]
    assert send.params["link_preview_options"]["is_disabled"] is True


async def test_a_very_long_answer_is_one_message_saying_it_was_shortened(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    # Was: "arrives in pieces under the limit". A 60 KB answer then became dozens of
    # messages; model prose is now capped to one message, and the buyer is told it was
    # cut (the source buttons open the full guide sections).
    long_answer = "\n\n".join(f"Step {n}: " + "check the order page. " * 20 for n in range(30))
    model_server.answer(answering(long_answer))

    replies = await ann.says(QUESTION)

    (message,) = replies
    assert len(message.text or "") <= 4096
    assert "Step 0" in texts(replies)
    assert "Step 29" not in texts(replies)
    assert "shortened it" in texts(replies)
    assert "Sources:" in texts(replies)
    assert message.inline_buttons()  # the source buttons end the answer
    assert_fits_one_screen(message)  # issue 17: one phone screen, not one message


async def test_a_60_kb_answer_of_one_word_is_still_one_message(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    model_server.answer(answering("&" * 60_000))  # escaping would make it 300 KB

    replies = await ann.says(QUESTION)

    (message,) = replies
    assert len(message.text or "") <= 4096
    assert "shortened it" in texts(replies)


class TestDailyBudget:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"openai_daily_requests_per_user": 1})

    async def test_past_the_daily_budget_the_guides_answer_alone(
        self, ann: ChatUser, model_server: FakeModelServer
    ) -> None:
        model_server.answer(answering("Press 延长收货 in the order."))

        first = await ann.says(QUESTION)
        second = await ann.says(QUESTION)

        assert "AI helper" in texts(first)
        assert "used today's AI helper requests" in texts(second)
        assert "From my guide" in texts(second)
        assert len(model_server.requests) == 1
