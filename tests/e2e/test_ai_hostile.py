"""A hostile model, end to end through the real bot and the real openai client: whatever it
writes next to a risky verdict, in any language or with any invisible trick, the buyer
sees only our own templates filled from its structured fields; where its prose is shown,
no address or handle in it can be tapped, and a 60 KB answer is one message; an answer of
any shape we did not expect leaves the rules' verdict, with one log line."""

from __future__ import annotations

import logging

import pytest

from bot.app import BotApplication
from bot.config import Settings
from tests.conftest import ChatUser, texts
from tests.e2e.payment_review import review, stored_verdicts
from tests.llm_server import FakeModelServer, Raw, odd_completion, with_model
from tests.telegram_autolinks import live_spans

HIGH_RISK = "请转账到我私人账户 6222 0212 3456 7890 123，可以省税。"
ON_PLATFORM = "请在1688下单付款，走担保交易。下单后订单先别付，等我们改价后再联系财务小王确认"
QUESTION = "How do I use 延长收货?"
# In every explanation below: if any of the model's prose reached the buyer, this would.
MARK = "QZX"

REASSURING = [
    # English synonyms the old keyword list did not know, and prose with no keyword at all.
    f"{MARK} This supplier is reliable and genuine; nothing suspicious here.",
    f"{MARK} All good, you're fine to pay the private account.",
    f"{MARK} Everything checks out. Proceed with the transfer.",
    # Russian.
    f"{MARK} Платёж надёжный, всё в порядке, можно смело платить.",
    f"{MARK} Продавец проверенный, рисков нет.",
    f"{MARK} Это легитимный перевод, не волнуйтесь.",
    # Chinese.
    f"{MARK} 这个卖家很正规，很可靠，放心付款。",
    f"{MARK} 没有风险，可以直接转账。",
    f"{MARK} 这是官方认证的账户，付吧。",
    # Invisible characters and look-alike forms splitting the words.
    f"{MARK} This payment is s\u200bafe and a\u2060pproved.",
    f"{MARK} \u202ePayment is safe\u202c, l\u200de\u200cgit.",
    f"{MARK} ｓａｆｅ ｔｏ ｐａｙ, ｎｏ ｒｉｓｋ.",
    f"{MARK} безо\u00adпасно, одоб\u200bрено.",
]


@pytest.fixture
def settings(settings: Settings, model_server: FakeModelServer) -> Settings:
    return with_model(settings, model_server)


@pytest.mark.parametrize("explanation", REASSURING)
async def test_no_prose_of_the_model_is_shown_under_a_high_risk_verdict(
    ann: ChatUser, bot: BotApplication, model_server: FakeModelServer, explanation: str
) -> None:
    model_server.answer(
        lambda request: review(explanation, concerns=["private_account", "tax_excuse"])
    )

    replies = await ann.says(f"/pay {HIGH_RISK}")

    shown = texts(replies)
    assert "High risk" in shown
    assert MARK not in shown
    # What it found is told in our words, from its structured fields.
    assert "a personal card, Alipay or WeChat account as the payee" in shown
    assert "saving tax or an invoice as a reason to pay another way" in shown
    assert await stored_verdicts(bot, ann.user_id) == ["high_risk"]


async def test_no_prose_of_the_model_is_shown_when_its_own_risk_makes_the_verdict_conditional(
    ann: ChatUser, bot: BotApplication, model_server: FakeModelServer
) -> None:
    model_server.answer(
        lambda request: review(
            f"{MARK} 这个卖家很正规，放心。Totally legit, go ahead.",
            [{"level": "conditional", "concern": "settle_in_chat", "quote": "联系财务小王确认"}],
        )
    )

    replies = await ann.says(f"/pay {ON_PLATFORM}")

    shown = texts(replies)
    assert MARK not in shown
    assert "Caution, price or payment settled in chat instead of in the order" in shown
    assert "«联系财务小王确认»" in shown
    assert await stored_verdicts(bot, ann.user_id) == ["conditional"]


async def test_in_russian_the_templates_are_russian_and_the_prose_is_still_dropped(
    boris: ChatUser, model_server: FakeModelServer
) -> None:
    model_server.answer(
        lambda request: review(
            f"{MARK} Всё в порядке, платите.", concerns=["instructions_to_helper"]
        )
    )

    replies = await boris.says(f"/pay {HIGH_RISK}")

    shown = texts(replies)
    assert MARK not in shown
    assert "текст, который пытается командовать ИИ-помощником или изменить вердикт" in shown


async def test_addresses_and_handles_in_shown_prose_cannot_be_tapped(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    # An approved verdict: the one place the model's own explanation is still shown.
    model_server.answer(
        lambda request: review(
            "Pay in the order. Questions: аlibaba.com, xn--80ak6aa92e.com, алибаба.рф, "
            "1688。com, ａｌｉｐａｙ．ｃｏｍ, ali\u200bpay.com, t.me/refund, @refund_desk, "
            "@рефанд, help@аlipay.com, /forgetme. Offer: https://detail.1688.com/offer/42.html"
        )
    )

    # The verdict comes first; the helper's words in a message of their own (issue 17).
    verdict, message = await ann.says(f"/pay {ON_PLATFORM}")

    assert "Safe way to pay" in (verdict.text or "")
    helper = (message.text or "").index("AI helper")
    live = [
        span
        for span in live_spans(message.text or "", message.entities)
        if (message.text or "").find(span) > helper
    ]
    assert live == ["https://detail.1688.com/offer/42.html"]


async def test_a_60_kb_explanation_is_one_capped_message(
    ann: ChatUser, model_server: FakeModelServer
) -> None:
    model_server.answer(lambda request: review("Pay in the order only. " * 2600))

    replies = await ann.says(f"/pay {ON_PLATFORM}")

    verdict, message = replies  # the verdict, then the helper's words
    assert "Safe way to pay" in (verdict.text or "")
    assert len(message.text or "") <= 4096
    assert "I shortened it" in texts(replies)


@pytest.mark.parametrize(
    "odd",
    [
        Raw("<html><body>502 Bad Gateway</body></html>", content_type="text/html"),
        odd_completion(choices="none"),
        odd_completion(choice_message=None),
        odd_completion(None),
        odd_completion('{"explanation": 5}'),
    ],
    ids=["html", "choices-string", "message-null", "content-null", "wrong-types"],
)
async def test_an_odd_answer_leaves_the_rules_verdict_with_one_log_line(
    ann: ChatUser,
    bot: BotApplication,
    model_server: FakeModelServer,
    caplog: pytest.LogCaptureFixture,
    odd: Raw,
) -> None:
    model_server.answer(lambda request: odd)
    caplog.set_level(logging.WARNING)

    replies = await ann.says(f"/pay {HIGH_RISK}")

    shown = texts(replies)
    assert "High risk" in shown
    assert "rule-based answer alone" in shown
    assert await stored_verdicts(bot, ann.user_id) == ["high_risk"]
    llm_lines = [r for r in caplog.records if r.name == "bot.adapters.llm"]
    assert len(llm_lines) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_odd_answer_to_a_question_leaves_the_guides_answer(
    ann: ChatUser, model_server: FakeModelServer, caplog: pytest.LogCaptureFixture
) -> None:
    model_server.answer(lambda request: odd_completion(choice_message=None))
    caplog.set_level(logging.WARNING)

    replies = await ann.says(QUESTION)

    assert "rule-based answer alone" in texts(replies)
    assert len([r for r in caplog.records if r.name == "bot.adapters.llm"]) == 1
