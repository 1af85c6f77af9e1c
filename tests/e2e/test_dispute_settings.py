"""DISPUTE_SELLER_RESPONSE_DAYS: when the dispute's follow-up comes back, and what the walk
says about it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.context import BotApplication
from bot.db.models import Order, Reminder
from bot.domain.disputes import FOLLOWUP_REMINDER_KIND, SELLER_RESPONSE_DAYS
from bot.sandbox.flood import FloodLimits
from tests.conftest import ChatUser, texts


@pytest.fixture
def flood_limits() -> FloodLimits:
    # People tap a button every few seconds; the tests tap at once.
    return FloodLimits(private_per_second=20, private_burst=20)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"dispute_seller_response_days": 5.5})


def test_the_default_is_the_researched_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    def configured() -> float:
        return Settings(_env_file=None).dispute_seller_response_days  # type: ignore[call-arg]

    monkeypatch.delenv("DISPUTE_SELLER_RESPONSE_DAYS", raising=False)
    assert configured() == SELLER_RESPONSE_DAYS
    monkeypatch.setenv("DISPUTE_SELLER_RESPONSE_DAYS", "2")
    assert configured() == 2


async def test_the_follow_up_waits_the_configured_days(ann: ChatUser, bot: BotApplication) -> None:
    await ann.says("/track 5d cups")
    await ann.taps("Problem")
    await ann.taps("Skip")
    await ann.taps("I clicked 申请退款")
    await ann.taps("Skip")
    escalate = await ann.taps("Skip")
    assert "Remind me in 5.5 days" in " ".join(ann.buttons()), texts(escalate)

    await ann.taps("Remind me")

    async with bot.bot_data.sessions() as session:
        order = await session.scalar(select(Order))
        followup = await session.scalar(
            select(Reminder).where(Reminder.kind == FOLLOWUP_REMINDER_KIND)
        )
    assert order is not None
    assert order.pause_started_at is not None
    assert followup is not None
    expected = order.pause_started_at + timedelta(days=5.5)
    assert abs(followup.due_at - expected) < timedelta(minutes=1)
