"""Saved supplier checks: the scorecard a guided check ended in, kept for /suppliers.

Every read is scoped to the user who owns the check, whatever id a button carried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db import supplier_checks
from bot.db.models import SupplierCheckRecord
from bot.domain.masking import mask_private_numbers
from bot.domain.suppliers.scorecard import SupplierFacts, facts_from_json, facts_to_json


@dataclass(frozen=True)
class SavedCheck:
    id: int
    label: str
    overall: str
    created_at: datetime
    facts: SupplierFacts


@dataclass(frozen=True)
class Link:
    """The page a check started from."""

    url: str | None
    kind: str | None


@dataclass(frozen=True)
class SupplierChecks:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock

    async def save(
        self, user_id: int, *, label: str, overall: str, facts: SupplierFacts, link: Link
    ) -> int:
        async with self.sessions.begin() as session:
            return await supplier_checks.save_check(
                session,
                user_id,
                label=mask_private_numbers(label),
                overall=overall,
                facts=_masked(facts_to_json(facts)),
                now=self.clock.now(),
                link_url=link.url,
                link_kind=link.kind,
            )

    async def recent(self, user_id: int) -> list[SavedCheck]:
        async with self.sessions() as session:
            return [
                _saved(record) for record in await supplier_checks.recent_checks(session, user_id)
            ]

    async def get(self, user_id: int, check_id: int) -> SavedCheck | None:
        async with self.sessions() as session:
            record = await supplier_checks.get_check(session, user_id, check_id)
        return _saved(record) if record is not None else None


def _masked(saved: dict[str, Any]) -> dict[str, Any]:
    """The facts' texts (names, the beneficiary, a listing) with phone, card and account
    numbers masked, as labels are; the credit code is a code, and stays."""
    return {
        field: mask_private_numbers(value) if isinstance(value, str) and field != "uscc" else value
        for field, value in saved.items()
    }


def _saved(record: SupplierCheckRecord) -> SavedCheck:
    return SavedCheck(
        id=record.id,
        label=record.label,
        overall=record.overall,
        created_at=record.created_at,
        facts=facts_from_json(record.facts),
    )
