"""Query functions for `payment_checks`. Every query is scoped to one user: a check id
from a button is only ever looked up together with the id of the user who pressed it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SIGNAL_CODES_LENGTH, PaymentCheckRecord

FEEDBACK_LABELS = ("right", "too_strict", "too_lenient")


def _joined_codes(codes: Sequence[str]) -> str:
    joined = ",".join(codes)
    if len(joined) <= SIGNAL_CODES_LENGTH:
        return joined
    return joined[:SIGNAL_CODES_LENGTH].rsplit(",", 1)[0]


async def record_check(
    session: AsyncSession,
    user_id: int,
    *,
    source: str,
    verdict: str,
    signal_codes: Sequence[str],
    now: datetime,
    masked_text: str | None = None,
) -> int:
    """Store a verdict; returns the new check's id (for the feedback buttons)."""
    record = PaymentCheckRecord(
        user_id=user_id,
        created_at=now,
        source=source,
        verdict=verdict,
        signal_codes=_joined_codes(signal_codes),
        masked_text=masked_text,
    )
    session.add(record)
    await session.flush()
    return record.id


async def set_feedback(
    session: AsyncSession, user_id: int, check_id: int, label: str, now: datetime
) -> bool:
    """Store the user's label on their own check; False if no such check is theirs."""
    if label not in FEEDBACK_LABELS:
        raise ValueError(f"unknown feedback label {label!r}")
    result = await session.execute(
        update(PaymentCheckRecord)
        .where(PaymentCheckRecord.id == check_id, PaymentCheckRecord.user_id == user_id)
        .values(feedback=label, feedback_at=now)
        .returning(PaymentCheckRecord.id)
    )
    return result.scalar_one_or_none() is not None


async def get_check(
    session: AsyncSession, user_id: int, check_id: int
) -> PaymentCheckRecord | None:
    query = select(PaymentCheckRecord).where(
        PaymentCheckRecord.id == check_id, PaymentCheckRecord.user_id == user_id
    )
    record: PaymentCheckRecord | None = await session.scalar(query)
    return record


async def count_by_verdict(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(PaymentCheckRecord.verdict, func.count()).group_by(PaymentCheckRecord.verdict)
    )
    return {verdict: count for verdict, count in rows.tuples()}


async def verdict_and_codes(
    session: AsyncSession, user_id: int, check_id: int
) -> tuple[str, list[str]] | None:
    """The verdict and signal codes of the user's own check, for its details."""
    row = (
        await session.execute(
            select(PaymentCheckRecord.verdict, PaymentCheckRecord.signal_codes).where(
                PaymentCheckRecord.id == check_id, PaymentCheckRecord.user_id == user_id
            )
        )
    ).one_or_none()
    if row is None:
        return None
    verdict, codes = row
    return verdict, [code for code in codes.split(",") if code]
