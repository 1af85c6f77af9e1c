"""Query functions for `supplier_checks`, always scoped to the user who owns the check."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LABEL_LENGTH, URL_LENGTH, SupplierCheckRecord


async def save_check(
    session: AsyncSession,
    user_id: int,
    *,
    label: str,
    overall: str,
    facts: dict[str, Any],
    now: datetime,
    link_url: str | None = None,
    link_kind: str | None = None,
) -> int:
    record = SupplierCheckRecord(
        user_id=user_id,
        created_at=now,
        label=label[:LABEL_LENGTH],
        link_url=link_url[:URL_LENGTH] if link_url else None,
        link_kind=link_kind,
        overall=overall,
        facts=facts,
    )
    session.add(record)
    await session.flush()
    return record.id


async def recent_checks(
    session: AsyncSession, user_id: int, *, limit: int = 10
) -> Sequence[SupplierCheckRecord]:
    query = (
        select(SupplierCheckRecord)
        .where(SupplierCheckRecord.user_id == user_id)
        .order_by(SupplierCheckRecord.created_at.desc(), SupplierCheckRecord.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def get_check(
    session: AsyncSession, user_id: int, check_id: int
) -> SupplierCheckRecord | None:
    query = select(SupplierCheckRecord).where(
        SupplierCheckRecord.id == check_id, SupplierCheckRecord.user_id == user_id
    )
    record: SupplierCheckRecord | None = await session.scalar(query)
    return record
