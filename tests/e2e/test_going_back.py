"""Every guided flow has a way back: "◀ Back" returns to the previous question, with what
was answered there, and a new answer replaces the old one (handlers/guided.py)."""

from __future__ import annotations

import pytest

from bot.app import BotApplication
from bot.sandbox.flood import FloodLimits
from tests.conftest import ChatUser, texts
from tests.e2e.test_orders import orders_of

OFFER_LINK = "https://detail.1688.com/offer/653487692354.html"


@pytest.fixture
def flood_limits() -> FloodLimits:
    # People tap a button every few seconds; the tests tap at once.
    return FloodLimits(private_per_second=20, private_burst=20)


async def test_the_first_question_has_no_way_back(ann: ChatUser) -> None:
    await ann.says("/register")

    assert "◀ Back" not in ann.buttons()


async def test_register_back_changes_an_answer(ann: ChatUser) -> None:
    await ann.says("/register")
    await ann.taps("I bought it")

    again = await ann.taps("◀ Back")

    assert "Question 1 of 4" in texts(again)
    await ann.taps("I registered it myself")
    await ann.taps("My own Chinese SIM")
    await ann.taps("verified with my passport")
    report = texts(await ann.taps("At 1688 checkout"))
    assert "Your setup: 🟢 low risk" in report, "the bought account was taken back"
    assert "Register your own account" not in report


async def test_spec_back_asks_the_typed_question_again(ann: ChatUser) -> None:
    await ann.says("/spec")
    await ann.says("insulated steel mug")
    second = await ann.says("304 stainless steel")
    assert "Question 3 of 9" in texts(second)

    again = await ann.taps("◀ Back")

    assert "Question 2 of 9" in texts(again)
    third = await ann.says("316 stainless steel")
    assert "Question 3 of 9" in texts(third)
    assert "316" in texts(third)


async def test_the_supplier_check_goes_back_to_the_badges_as_ticked(ann: ChatUser) -> None:
    await ann.says(OFFER_LINK)
    await ann.taps("Check this supplier")
    await ann.taps("超级工厂")
    await ann.taps("Done")

    await ann.taps("◀ Back")

    assert any(label.startswith("✅") and "超级工厂" in label for label in ann.buttons())
    await ann.taps("超级工厂")  # untick
    await ann.taps("验厂报告")
    after = texts(await ann.taps("Done"))
    assert "inspected the company's premises" in after, "the new badge is explained"
    assert "super" not in after.lower(), "the untick counted"


async def test_track_back_from_the_day_picker_to_the_first_question(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("/track")
    await ann.taps("Pick the day")

    again = await ann.taps("◀ Back")

    assert "When did the seller ship?" in texts(again)
    await ann.taps("Shipped yesterday")
    await ann.taps("Skip")
    (order,) = await orders_of(bot, ann.user_id)
    assert order.shipped_at is not None


async def test_dispute_back_returns_to_the_reason(ann: ChatUser) -> None:
    await ann.says("/dispute")
    await ann.taps("Items missing")

    again = await ann.taps("◀ Back")

    assert "What went wrong?" in texts(again)
