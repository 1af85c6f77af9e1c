"""Saved supplier checks: newest first, facts come back as saved, one user's only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import supplier_checks, users

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


async def test_checks_are_listed_newest_first_and_only_for_their_owner(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        for telegram_id in (1, 2):
            await users.touch_user(session, telegram_id, now=NOW)
        for hours, label in enumerate(["old shop", "new shop"]):
            await supplier_checks.save_check(
                session,
                1,
                label=label,
                overall="amber",
                facts={"shop_company": "义乌市某某贸易有限公司", "badges": ["super_factory"]},
                now=NOW + timedelta(hours=hours),
                link_url="https://detail.1688.com/offer/123.html",
                link_kind="offer",
            )

    async with sessionmaker() as session:
        mine = await supplier_checks.recent_checks(session, 1)
        theirs = await supplier_checks.recent_checks(session, 2)
        stolen = await supplier_checks.get_check(session, 2, mine[0].id)

    assert [check.label for check in mine] == ["new shop", "old shop"]
    assert mine[0].facts["shop_company"] == "义乌市某某贸易有限公司"
    assert mine[0].facts["badges"] == ["super_factory"]
    assert theirs == []
    assert stolen is None


async def test_very_long_labels_and_urls_are_cut_to_fit(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await users.touch_user(session, 3, now=NOW)
        check_id = await supplier_checks.save_check(
            session,
            3,
            label="店" * 500,
            overall="red",
            facts={},
            now=NOW,
            link_url="https://s.1688.com/?q=" + "x" * 5000,
        )
    async with sessionmaker() as session:
        record = await supplier_checks.get_check(session, 3, check_id)
    assert record is not None
    assert len(record.label) == 200
    assert record.link_url is not None
    assert len(record.link_url) == 2048
