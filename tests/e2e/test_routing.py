"""Finding the way from the buyer's words (issue 17): a problem with the goods, told in any
words, reaches the dispute walkthrough through its button, in English and Russian."""

from __future__ import annotations

import pytest

from tests.conftest import ChatUser, texts
from tests.one_screen import assert_fits_one_screen

ISSUE_EXAMPLE = (
    "my forwarder got the parcel but 20 pcs are missing, "
    "what should I do before the money is released?"
)


async def test_the_issue_example_reaches_the_dispute_walkthrough(ann: ChatUser) -> None:
    replies = await ann.says(ISSUE_EXAMPLE)

    assert "I don't have a guide for that yet" not in texts(replies)
    assert "fewer pieces than ordered" in texts(replies)
    assert "申请退款" in texts(replies)
    assert_fits_one_screen(replies[-1])
    assert ann.buttons()[0] == "🧾 Problem with an order"
    walkthrough = await ann.taps("Problem with an order")
    assert "Dispute walkthrough" in texts(walkthrough)


async def test_the_same_problem_in_russian_reaches_the_walkthrough(boris: ChatUser) -> None:
    replies = await boris.says(
        "Мой карго получил посылку, но не хватает 20 штук, что делать, пока деньги не ушли?"
    )

    assert "пришло меньше, чем заказано" in texts(replies)
    assert_fits_one_screen(replies[-1])
    assert boris.buttons()[0] == "🧾 Проблема с заказом"
    walkthrough = await boris.taps("Проблема с заказом")
    assert "Спор по заказу" in texts(walkthrough)


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("half the mugs arrived broken", "damaged or defective goods"),
        ("They sent the wrong colour, I asked for black", "not what you ordered"),
        ("the supplier shipped short by 2 cartons", "fewer pieces than ordered"),
        ("货少了20件", "fewer pieces than ordered"),
        ("卖家发错货了", "not what you ordered"),
    ],
)
async def test_statements_of_a_problem_route_too(ann: ChatUser, said: str, kind: str) -> None:
    replies = await ann.says(said)

    assert kind in texts(replies)
    assert ann.buttons()[0] == "🧾 Problem with an order"


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("прислали не тот цвет", "прислали не то, что вы заказывали"),
        ("Склад сообщил, что много брака", "товар повреждён или с браком"),
        ("недостача 2 коробки", "пришло меньше, чем заказано"),
    ],
)
async def test_russian_problem_words_route_too(boris: ChatUser, said: str, kind: str) -> None:
    replies = await boris.says(said)

    assert kind in texts(replies)
    assert boris.buttons()[0] == "🧾 Проблема с заказом"


async def test_a_question_about_paying_still_gets_its_guide(ann: ChatUser) -> None:
    replies = await ann.says("How do I pay safely on 1688?")

    assert "From my guide" in texts(replies)
    assert ann.buttons()[0] == "💳 Is this payment safe?"


async def test_a_fake_link_question_is_not_a_problem_with_goods(ann: ChatUser) -> None:
    replies = await ann.says("How can I tell if a link is a fake lookalike site?")

    assert "problem with the goods" not in texts(replies)
    assert "From my guide" in texts(replies)
