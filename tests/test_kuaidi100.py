"""The Kuaidi100 client against a local Kuaidi100 that checks signatures and follows the
documented shapes: a signed parcel read with how it was signed, SF without the phone's
digits refused with a clear reason before any request, a waybill asked again too soon
refused (Kuaidi100 locks it otherwise), back-off after errors, subscriptions, and pushes
whose signature does not match our salt refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.kuaidi100 import (
    SIGNED_AT_LOCKER_OR_STATION,
    BadSignature,
    Kuaidi100Client,
    Kuaidi100Error,
    PhoneNeeded,
    QueriedTooOften,
    read_push,
)
from bot.clock import ManualClock
from tests.kuaidi100_server import CUSTOMER, KEY, FakeKuaidi100, Waybill, fake_kuaidi100

NOW = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)  # already 1 January in Beijing
LOCKER = Waybill(
    com="yuantong",
    num="YT7512345678901",
    state="3",
    events=[
        ("2026-12-30 18:05:11", "广东省广州市白云区", "已放入丰巢智能快递柜，取件码1234", "304"),
        ("2026-12-30 07:40:02", "广东省广州市", "【广州转运中心】已发出", "0"),
        ("2026-12-29 21:12:45", "浙江省金华市义乌市", "【义乌市场部】已揽收", "1"),
    ],
)
SF = Waybill(
    com="shunfeng",
    num="SF1409876543210",
    state="0",
    events=[("2026-12-30 10:00:00", "广东省深圳市", "顺丰速运 已收取快件", "1")],
)


@pytest.fixture
async def kuaidi100() -> AsyncIterator[FakeKuaidi100]:
    async with fake_kuaidi100() as server:
        server.knows(LOCKER)
        server.knows(SF)
        yield server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def client_for(server: FakeKuaidi100, clock: ManualClock, key: str = KEY) -> Kuaidi100Client:
    return Kuaidi100Client(key=key, customer=CUSTOMER, clock=clock, base_url=server.base_url)


async def test_a_signed_parcel_is_read_with_how_it_was_signed(
    kuaidi100: FakeKuaidi100, clock: ManualClock
) -> None:
    status = await client_for(kuaidi100, clock).query("圆通", LOCKER.num)

    assert status.signed
    assert status.sub_state == SIGNED_AT_LOCKER_OR_STATION
    assert status.events[0].at == datetime(2026, 12, 30, 10, 5, 11, tzinfo=UTC)
    assert status.events[0].area == "广东省广州市白云区"
    assert kuaidi100.queries == [
        {"com": "yuantong", "num": LOCKER.num, "resultv2": "4", "order": "desc"}
    ]


async def test_the_events_read_as_a_trace_in_beijing_time(
    kuaidi100: FakeKuaidi100, clock: ManualClock
) -> None:
    status = await client_for(kuaidi100, clock).query("yuantong", LOCKER.num)

    first_line = status.as_trace_text().splitlines()[0]
    assert first_line.startswith("2026-12-30 18:05:11 【广东省广州市白云区】已放入丰巢")


async def test_a_wrong_key_is_refused_by_kuaidi100(
    kuaidi100: FakeKuaidi100, clock: ManualClock
) -> None:
    with pytest.raises(Kuaidi100Error) as refused:
        await client_for(kuaidi100, clock, key="wrong").query("圆通", LOCKER.num)

    assert refused.value.code == "503"
    assert kuaidi100.refused == ["sign"]


async def test_sf_without_the_phone_digits_asks_for_them_and_sends_nothing(
    kuaidi100: FakeKuaidi100, clock: ManualClock
) -> None:
    with pytest.raises(PhoneNeeded, match="last 4 digits"):
        await client_for(kuaidi100, clock).query("顺丰", SF.num)

    assert kuaidi100.queries == []


async def test_sf_with_the_phone_digits_is_answered(
    kuaidi100: FakeKuaidi100, clock: ManualClock
) -> None:
    status = await client_for(kuaidi100, clock).query("顺丰", SF.num, phone="5678")

    assert not status.signed
    assert kuaidi100.queries[0]["phone"] == "5678"


async def test_a_waybill_is_queried_at_most_every_30_minutes(
    kuaidi100: FakeKuaidi100, clock: ManualClock
) -> None:
    client = client_for(kuaidi100, clock)
    await client.query("圆通", LOCKER.num)
    clock.advance(timedelta(minutes=29))

    with pytest.raises(QueriedTooOften) as too_soon:
        await client.query("圆通", LOCKER.num)

    assert too_soon.value.retry_at == NOW + timedelta(minutes=30)
    assert len(kuaidi100.queries) == 1
    clock.advance(timedelta(minutes=1))
    await client.query("圆通", LOCKER.num)
    assert len(kuaidi100.queries) == 2


async def test_errors_back_off_further(kuaidi100: FakeKuaidi100, clock: ManualClock) -> None:
    client = client_for(kuaidi100, clock)
    with pytest.raises(Kuaidi100Error):
        await client.query("中通", "75000000000000", phone="1234")  # no such waybill
    clock.advance(timedelta(minutes=45))

    with pytest.raises(QueriedTooOften) as too_soon:
        await client.query("中通", "75000000000000", phone="1234")

    assert too_soon.value.retry_at == NOW + timedelta(hours=1)


async def test_a_subscription_and_its_push_are_read(
    kuaidi100: FakeKuaidi100, clock: ManualClock
) -> None:
    client = client_for(kuaidi100, clock)
    await client.subscribe(
        "圆通", LOCKER.num, callback_url="http://127.0.0.1:9/k100", salt="pepper", phone=None
    )
    # Subscribing twice is no error: Kuaidi100 answers 501, "already subscribed".
    await client.subscribe(
        "圆通", LOCKER.num, callback_url="http://127.0.0.1:9/k100", salt="pepper", phone=None
    )

    status = read_push(kuaidi100.push_form(LOCKER.num), salt="pepper")

    assert status.signed
    assert kuaidi100.subscriptions[0].callback_url == "http://127.0.0.1:9/k100"


async def test_a_push_with_a_bad_signature_is_refused(
    kuaidi100: FakeKuaidi100, clock: ManualClock
) -> None:
    await client_for(kuaidi100, clock).subscribe(
        None, LOCKER.num, callback_url="http://127.0.0.1:9/k100", salt="pepper", phone=None
    )

    with pytest.raises(BadSignature):
        read_push(kuaidi100.push_form(LOCKER.num, forge=True), salt="pepper")


def test_a_sub_state_says_how_a_parcel_was_signed_when_the_text_does_not() -> None:
    from bot.adapters.kuaidi100 import parse_status
    from bot.domain.logistics import SignedBy, read_trace

    status = parse_status(
        {
            "com": "yunda",
            "nu": "4312345678901",
            "state": "3",
            "data": [
                {"ftime": "2026-12-30 18:05:11", "context": "您的快件已送达", "statusCode": "304"},
                {
                    "ftime": "2026-12-29 21:12:45",
                    "context": "【义乌市场部】已揽收",
                    "statusCode": "1",
                },
            ],
        }
    )

    trace = read_trace(status.as_trace_text(), NOW)

    assert trace.signed
    assert trace.signed_by in (SignedBy.LOCKER, SignedBy.STATION)
