"""Checked payment requests are stored per user; feedback only lands on one's own check."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import payment_checks, users

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


async def make_user(sessions: async_sessionmaker[AsyncSession], telegram_id: int) -> None:
    async with sessions.begin() as session:
        await users.touch_user(session, telegram_id, now=NOW)


async def test_feedback_lands_only_on_the_owners_check(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(sessionmaker, 1)
    await make_user(sessionmaker, 2)
    async with sessionmaker.begin() as session:
        check_id = await payment_checks.record_check(
            session, 1, source="text", verdict="high_risk", signal_codes=["a", "b"], now=NOW
        )

    async with sessionmaker.begin() as session:
        stolen = await payment_checks.set_feedback(session, 2, check_id, "right", NOW)
        own = await payment_checks.set_feedback(session, 1, check_id, "too_strict", NOW)

    assert stolen is False
    assert own is True
    async with sessionmaker() as session:
        record = await payment_checks.get_check(session, 1, check_id)
        assert record is not None
        assert record.feedback == "too_strict"
        assert record.signal_codes == "a,b"
        assert record.masked_text is None
        assert await payment_checks.get_check(session, 2, check_id) is None


async def test_deleting_the_user_deletes_their_checks(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(sessionmaker, 7)
    async with sessionmaker.begin() as session:
        await payment_checks.record_check(
            session, 7, source="photo", verdict="unclear", signal_codes=[], now=NOW
        )

    async with sessionmaker.begin() as session:
        await users.delete_user(session, 7)

    async with sessionmaker() as session:
        assert await payment_checks.count_by_verdict(session) == {}


async def test_very_many_signal_codes_are_cut_at_a_code_boundary(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(sessionmaker, 9)
    codes = [f"signal_code_{n:03d}" for n in range(100)]
    async with sessionmaker.begin() as session:
        check_id = await payment_checks.record_check(
            session, 9, source="text", verdict="high_risk", signal_codes=codes, now=NOW
        )
    async with sessionmaker() as session:
        record = await payment_checks.get_check(session, 9, check_id)
        assert record is not None
        stored = record.signal_codes.split(",")
        assert stored == codes[: len(stored)]
        assert len(record.signal_codes) <= 512
