"""Following parcels on each backend: two instances racing for the same waybill query it
once (the claim on orders.parcel_checked_at is atomic), and a flag is news only once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.kuaidi100 import Kuaidi100Client
from bot.clock import ManualClock
from bot.config import Settings
from bot.db.models import Order, User
from bot.domain.escrow import OrderState
from bot.domain.timezones import BEIJING
from bot.services.following import ParcelFollowing
from bot.services.orders import ReminderPolicy
from bot.services.parcels import Parcels
from bot.services.tracking import Tracking
from tests.kuaidi100_server import CUSTOMER, KEY, FakeKuaidi100, Waybill, fake_kuaidi100

START = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
NUMBER = "YT2512345678901"


@pytest.fixture
async def kuaidi() -> AsyncIterator[FakeKuaidi100]:
    async with fake_kuaidi100() as server:
        yield server


def _beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _follower(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, server: FakeKuaidi100
) -> ParcelFollowing:
    policy = ReminderPolicy.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]

    def wake(due: Sequence[datetime]) -> None:
        return None

    tracking = Tracking(sessions, clock, lambda: policy, wake)
    parcels = Parcels(sessions, clock, lambda: policy, wake, tracking)
    client = Kuaidi100Client(KEY, CUSTOMER, clock, base_url=server.base_url)
    return ParcelFollowing(sessions, clock, parcels, client, salt="salt")


async def test_two_instances_query_a_waybill_once_and_alert_a_flag_once(
    sessionmaker: async_sessionmaker[AsyncSession], kuaidi: FakeKuaidi100
) -> None:
    clock = ManualClock(START)
    async with sessionmaker.begin() as session:
        session.add(
            User(
                telegram_id=7,
                language="ru",
                created_at=START,
                last_seen_at=START,
                warehouse_city="广州",
            )
        )
        await session.flush()
        session.add(
            Order(
                user_id=7,
                chat_id=7,
                label="lamps",
                state=OrderState.SHIPPED,
                shipped_at=START - timedelta(days=3),
                created_at=START,
                updated_at=START,
                carrier="圆通",
                tracking_no=NUMBER,
            )
        )
    signed = START - timedelta(hours=2)
    done = "快件已在 【杭州石井】 签收, 签收人: 门卫, 您的快递已经妥投。"
    left = "快件离开 【义乌】 已发往 【杭州中心】"
    kuaidi.knows(
        Waybill(
            com="yuantong",
            num=NUMBER,
            state="3",
            events=[
                (_beijing(signed), "杭州市", done, "301"),
                (_beijing(signed - timedelta(hours=30)), "义乌市", left, "0"),
            ],
        )
    )
    first, second = _follower(sessionmaker, clock, kuaidi), _follower(sessionmaker, clock, kuaidi)

    together = await asyncio.gather(first.follow_due(), second.follow_due())

    assert len(kuaidi.queries) == 1
    notices = [notice for found in together for notice in found]
    kinds = sorted(notice.kind.value for notice in notices)
    assert kinds == ["flags", "signed"]
    (alert,) = [notice for notice in notices if notice.kind.value == "flags"]
    assert {flag.code.value for flag in alert.flags} >= {"signed_outside_warehouse_city"}
    assert alert.language == "ru"

    clock.advance(timedelta(minutes=31))
    assert await second.follow_due() == []
    assert len(kuaidi.queries) == 2
