"""What the AI helper's payment review looks like on the wire, and what the bot stored:
shared by the payment tests with a model (tests/e2e/test_ai_*.py)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import BotApplication
from bot.db.models import PaymentCheckRecord
from tests.llm_server import Content, as_json


def review(
    explanation: str,
    risks: list[dict[str, str]] | None = None,
    concerns: list[str] | None = None,
    **details: str,
) -> Content:
    """A PaymentReview answer; payment details not named are null."""
    fields = ("payee_name", "bank", "account", "method", "amount")
    return as_json(
        {
            "explanation": explanation,
            "concerns": concerns or [],
            "added_risks": risks or [],
            "payment_details": {name: details.get(name) for name in fields},
        }
    )


async def stored_verdicts(bot: BotApplication, user_id: int) -> list[str]:
    async with bot.bot_data.sessions() as session:
        rows = await session.scalars(
            select(PaymentCheckRecord.verdict).where(PaymentCheckRecord.user_id == user_id)
        )
        return list(rows)
