"""Following parcels through Kuaidi100 (issue 15, parts 6 and 7): the whole bot behind its
webhook server, talking to the sandbox and to the local fake Kuaidi100 (tests/
kuaidi100_server.py). Rounds are run with `follow_now` (what the periodic job runs) and the
clock is jumped, so nothing waits for the job's interval."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from bot.adapters.kuaidi100 import PUSH_OK
from bot.app import BotApplication, build_application
from bot.clock import Clock, ShiftedClock
from bot.config import Settings
from bot.db.models import Order
from bot.domain.timezones import BEIJING
from bot.runtime.following import attach_following, follow_now
from bot.runtime.webhook import create_web_app
from bot.sandbox.server import Sandbox
from bot.services.following import PUSH_PATH
from tests.conftest import ChatUser
from tests.e2e import test_webhook
from tests.e2e.test_orders import orders_of
from tests.kuaidi100_server import CUSTOMER, KEY, FakeKuaidi100, Waybill, fake_kuaidi100
from tests.servers import free_port

NUMBER = "YT2512345678901"


@pytest.fixture
async def kuaidi() -> AsyncIterator[FakeKuaidi100]:
    async with fake_kuaidi100() as server:
        yield server


# The whole bot behind its webhook server, as tests/e2e/test_webhook.py runs it; its
# `served` uses this module's `webhook_settings` (Kuaidi100 on).
sandbox = test_webhook.sandbox
served = test_webhook.served
bot = test_webhook.bot


def with_kuaidi100(settings: Settings, server: FakeKuaidi100) -> Settings:
    return settings.model_copy(
        update={
            "kuaidi100_key": SecretStr(KEY),
            "kuaidi100_customer": CUSTOMER,
            "kuaidi100_base_url": server.base_url,
        }
    )


@pytest.fixture
def webhook_settings(settings: Settings, kuaidi: FakeKuaidi100) -> Settings:
    return with_kuaidi100(test_webhook.with_webhook(settings, free_port()), kuaidi)


def beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def waybill(
    now: datetime,
    *,
    com: str = "yuantong",
    signed: bool = False,
    city: str = "广州",
    signer: str = "本人",
) -> Waybill:
    """A parcel from 义乌 to `city`, signed 2 hours before `now` when `signed`."""
    at = now - timedelta(hours=2)
    events = [
        (
            beijing(at - timedelta(hours=4)),
            f"{city}市",
            f"【{city}石井】 的 李四 正在第1次派件",
            "5",
        ),
        (beijing(at - timedelta(hours=18)), f"{city}市", f"快件已经到达 【{city}中心】", "0"),
        (
            beijing(at - timedelta(hours=30)),
            "义乌市",
            f"快件离开 【义乌】 已发往 【{city}中心】",
            "0",
        ),
        (beijing(at - timedelta(hours=36)), "义乌市", "【义乌六部】 的 王师傅 已揽收", "1"),
    ]
    if signed:
        done = f"快件已在 【{city}石井】 签收, 签收人: {signer}, 您的快递已经妥投。"
        events.insert(0, (beijing(at), f"{city}市", done, "301"))
    return Waybill(com=com, num=NUMBER, state="3" if signed else "0", events=events)


async def tracked_parcel(
    ann: ChatUser,
    bot: BotApplication,
    clock: Clock,
    *,
    carrier: str = "圆通",
    warehouse: str | None = "广州",
) -> Order:
    """A tracked order shipped 9 days ago whose tracking number is known, for a user whose
    warehouse is `warehouse`."""
    if warehouse is not None:
        await set_warehouse(ann, warehouse)
    shipped = (clock.now() - timedelta(days=9)).astimezone(BEIJING)
    await ann.says(f"/track shipped {shipped:%Y-%m-%d %H:%M} towels")
    (order,) = await orders_of(bot, ann.user_id)
    async with bot.bot_data.sessions.begin() as session:
        stored = await session.get(Order, order.id)
        assert stored is not None
        stored.tracking_no, stored.carrier = NUMBER, carrier
    (order,) = await orders_of(bot, ann.user_id)
    return order


async def set_warehouse(ann: ChatUser, city: str = "广州") -> None:
    await ann.says(f"/warehouse {city}")
    await ann.taps("Skip")


def messages_with(sandbox: Sandbox, user_id: int, needle: str) -> list[str]:
    found = [m.text or "" for m in sandbox.bot_messages(user_id)]
    return [text for text in found if needle in text]


async def test_a_followed_parcel_that_gets_signed_replans_and_says_so_once(
    ann: ChatUser,
    bot: BotApplication,
    sandbox: Sandbox,
    kuaidi: FakeKuaidi100,
    clock: ShiftedClock,
) -> None:
    await tracked_parcel(ann, bot, clock)
    kuaidi.knows(waybill(clock.now()))

    assert await follow_now(bot) == 0
    assert len(kuaidi.queries) == 1
    (subscription,) = kuaidi.subscriptions
    assert subscription.callback_url.endswith(PUSH_PATH)
    assert subscription.salt == bot.bot_data.settings.kuaidi100_push_salt()

    kuaidi.knows(waybill(clock.now(), signed=True))
    clock.jump(timedelta(minutes=31))
    assert await follow_now(bot) == 1

    (order,) = await orders_of(bot, ann.user_id)
    assert order.signed_at is not None
    assert order.deadline_at is not None
    # The 2023 rule at once: signed + 48 h is later than shipped + 10 days here.
    assert abs(order.deadline_at - (order.signed_at + timedelta(hours=48))) <= timedelta(seconds=1)
    (said,) = messages_with(sandbox, ann.user_id, "was signed for")
    assert "towels" in said
    assert NUMBER in said
    assert "Auto-confirm now" in said

    clock.jump(timedelta(minutes=31))
    assert await follow_now(bot) == 0
    answer = await kuaidi.push(NUMBER)
    assert answer.status_code == 200
    assert answer.json() == PUSH_OK
    assert len(messages_with(sandbox, ann.user_id, "was signed for")) == 1


async def test_a_new_flag_alerts_once_across_polls_and_a_push(
    ann: ChatUser,
    bot: BotApplication,
    sandbox: Sandbox,
    kuaidi: FakeKuaidi100,
    clock: ShiftedClock,
) -> None:
    await tracked_parcel(ann, bot, clock)
    kuaidi.knows(waybill(clock.now(), signed=True, city="杭州", signer="门卫"))

    await follow_now(bot)
    (alert,) = messages_with(sandbox, ann.user_id, "another city")
    assert "杭州" in alert  # the evidence line
    assert "someone else" in alert
    assert "Don't confirm receipt" in alert

    for _ in range(2):
        clock.jump(timedelta(minutes=31))
        await follow_now(bot)
    answer = await kuaidi.push(NUMBER)
    assert answer.status_code == 200

    assert len(kuaidi.queries) == 3
    assert len(messages_with(sandbox, ann.user_id, "another city")) == 1
    (order,) = await orders_of(bot, ann.user_id)
    assert "signed_outside_warehouse_city" in (order.parcel_flags or "")


async def test_an_alert_waits_out_telegrams_flood_control_and_is_not_lost(
    ann: ChatUser,
    bot: BotApplication,
    sandbox: Sandbox,
    kuaidi: FakeKuaidi100,
    clock: ShiftedClock,
) -> None:
    """Bug (CI, under load): a busy chat's 429s outlasted the rate limiter's retries, and
    the alert, whose flag was already saved, was dropped for good."""
    await tracked_parcel(ann, bot, clock)
    kuaidi.knows(waybill(clock.now(), signed=True, city="杭州", signer="门卫"))
    sandbox.inject_fault("sendMessage", 429, count=6, retry_after=1)

    await follow_now(bot)

    (alert,) = messages_with(sandbox, ann.user_id, "another city")
    assert "杭州" in alert


async def test_a_push_with_a_bad_signature_is_refused_and_changes_nothing(
    ann: ChatUser,
    bot: BotApplication,
    sandbox: Sandbox,
    kuaidi: FakeKuaidi100,
    clock: ShiftedClock,
) -> None:
    await tracked_parcel(ann, bot, clock)
    kuaidi.knows(waybill(clock.now()))
    await follow_now(bot)
    kuaidi.knows(waybill(clock.now(), signed=True, city="杭州", signer="门卫"))

    answer = await kuaidi.push(NUMBER, forge=True)

    assert answer.status_code == 400
    assert answer.json()["result"] is False
    (order,) = await orders_of(bot, ann.user_id)
    assert order.signed_at is None
    assert not order.parcel_flags
    # (The order's own reminders may arrive meanwhile: only parcel news is counted.)
    assert messages_with(sandbox, ann.user_id, "Kuaidi100 shows") == []
    assert messages_with(sandbox, ann.user_id, "was signed for") == []

    # Not a form at all: refused too.
    async with httpx.AsyncClient() as client:
        garbage = await client.post(kuaidi.subscriptions[0].callback_url, content=b"\x00")
    assert garbage.status_code == 400


async def test_a_waybill_is_never_queried_twice_within_30_minutes(
    ann: ChatUser,
    bot: BotApplication,
    kuaidi: FakeKuaidi100,
    clock: ShiftedClock,
    webhook_settings: Settings,
) -> None:
    await tracked_parcel(ann, bot, clock, warehouse=None)
    kuaidi.knows(waybill(clock.now()))

    await follow_now(bot)
    await follow_now(bot)
    clock.jump(timedelta(minutes=29))
    await follow_now(bot)
    assert len(kuaidi.queries) == 1

    # A restart (a fresh client that remembers nothing) still waits: the database holds it.
    attach_following(bot, webhook_settings)
    await follow_now(bot)
    assert len(kuaidi.queries) == 1

    clock.jump(timedelta(minutes=2))
    await follow_now(bot)
    await follow_now(bot)
    assert len(kuaidi.queries) == 2


async def test_sf_without_the_phone_digits_asks_once_and_is_not_queried(
    ann: ChatUser,
    bot: BotApplication,
    sandbox: Sandbox,
    kuaidi: FakeKuaidi100,
    clock: ShiftedClock,
) -> None:
    await tracked_parcel(ann, bot, clock, carrier="顺丰")
    kuaidi.knows(waybill(clock.now(), com="shunfeng"))

    assert await follow_now(bot) == 1
    (asked,) = messages_with(sandbox, ann.user_id, "last 4 digits")
    assert "/warehouse" in asked
    assert "顺丰" in asked
    assert kuaidi.queries == []

    clock.jump(timedelta(minutes=31))
    assert await follow_now(bot) == 0
    assert kuaidi.queries == []
    assert len(messages_with(sandbox, ann.user_id, "last 4 digits")) == 1

    await ann.replies()
    opened = await ann.taps("Set the phone digits")
    assert any("warehouse" in (m.text or "") for m in opened)


async def test_with_the_settings_unset_nothing_is_queried(
    settings: Settings, kuaidi: FakeKuaidi100, clock: Clock
) -> None:
    application = build_application(settings, clock=clock, migrate=False)
    try:
        assert application.bot_data.following is None
        assert await follow_now(application) == 0
        app = create_web_app(application, secret="s", path="/telegram")
        paths = {resource.canonical for resource in app.router.resources()}
        assert PUSH_PATH not in paths
    finally:
        await application.bot_data.engine.dispose()
    assert kuaidi.queries == []
    assert kuaidi.subscriptions == []


def test_the_push_salt_is_derived_from_the_key_unless_set() -> None:
    base = Settings(_env_file=None, kuaidi100_key=SecretStr(KEY), kuaidi100_customer=CUSTOMER)  # type: ignore[call-arg]
    derived = base.kuaidi100_push_salt()
    assert derived == base.model_copy().kuaidi100_push_salt()
    assert KEY not in derived
    assert len(derived) == 32
    other = base.model_copy(update={"kuaidi100_key": SecretStr("another-key")})
    assert other.kuaidi100_push_salt() != derived
    chosen = base.model_copy(update={"kuaidi100_salt": SecretStr("my-salt")})
    assert chosen.kuaidi100_push_salt() == "my-salt"
    assert base.kuaidi100_enabled
    assert not Settings(_env_file=None).kuaidi100_enabled  # type: ignore[call-arg]


def test_blank_kuaidi100_settings_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUAIDI100_KEY", KEY)
    monkeypatch.setenv("KUAIDI100_CUSTOMER", CUSTOMER)
    monkeypatch.setenv("KUAIDI100_SALT", "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.kuaidi100_salt is None
    assert settings.kuaidi100_push_salt() != ""
    monkeypatch.setenv("KUAIDI100_KEY", " ")
    assert not Settings(_env_file=None).kuaidi100_enabled  # type: ignore[call-arg]


async def test_no_movement_for_3_days_says_what_to_do_before_the_10_day_limit(
    ann: ChatUser,
    bot: BotApplication,
    sandbox: Sandbox,
    kuaidi: FakeKuaidi100,
    clock: ShiftedClock,
) -> None:
    order = await tracked_parcel(ann, bot, clock)
    stuck = clock.now() - timedelta(days=3, hours=6)
    kuaidi.knows(
        Waybill(
            com="yuantong",
            num=NUMBER,
            state="0",
            events=[
                (beijing(stuck), "义乌市", "快件离开 【义乌】 已发往 【广州中心】", "0"),
                (beijing(stuck - timedelta(hours=6)), "义乌市", "【义乌六部】 已揽收", "1"),
            ],
        )
    )

    assert await follow_now(bot) == 1

    (alert,) = messages_with(sandbox, ann.user_id, "No movement")
    assert "申请退款" in alert
    assert "10 days after shipping" in alert
    assert order.deadline_at is not None
    assert f"{order.deadline_at.astimezone(BEIJING):%H:%M}" in alert
    clock.jump(timedelta(minutes=31))
    await follow_now(bot)
    assert len(messages_with(sandbox, ann.user_id, "No movement")) == 1
