"""Card, phone and account numbers never show whole: not in order names, lists, reminders
or the texts the bot echoes back. Names are masked as they are stored (see README)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import BotApplication
from bot.db.models import Order, SupplierCheckRecord
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from tests.conftest import ChatUser, texts
from tests.e2e.test_suppliers import skip_to_the_scorecard


@pytest.fixture
def flood_limits() -> FloodLimits:
    return FloodLimits(private_per_second=20, private_burst=20)


async def labels_of(bot: BotApplication, user_id: int) -> list[str]:
    async with bot.bot_data.sessions() as session:
        return list(await session.scalars(select(Order.label).where(Order.user_id == user_id)))


@pytest.mark.parametrize(
    ("name", "hidden", "shown"),
    [
        ("王总 138 1234 5678", "1234 5678", "••••5678"),
        ("卡 6222 0212 3456 7890 128", "3456 7890", "••••0128"),
    ],
)
async def test_an_order_named_with_a_number_is_shown_masked_everywhere(
    ann: ChatUser, bot: BotApplication, sandbox: Sandbox, name: str, hidden: str, shown: str
) -> None:
    created = await ann.says(f"/track 2d {name}")
    await ann.receives("⏰")  # two days left: the first reminder comes at once
    reminder = next(
        m.text or "" for m in sandbox.bot_messages(ann.user_id) if "⏰" in (m.text or "")
    )
    assert shown in reminder
    assert hidden not in reminder

    listing = await ann.says("/orders")
    card = await ann.taps(ann.buttons()[0])

    for seen in (texts(created), texts(listing), " ".join(ann.buttons()), texts(card)):
        assert hidden not in seen
    assert shown in texts(created)
    assert shown in texts(card)
    assert any(shown in button for button in ann.buttons()) or shown in texts(listing)
    assert await labels_of(bot, ann.user_id) == [name.split(" ")[0] + " " + shown]


async def test_an_order_number_in_a_name_stays_readable(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("/track 6d №3482915567012345678")

    assert await labels_of(bot, ann.user_id) == ["№3482915567012345678"]


async def test_a_supplier_named_with_a_phone_number_is_shown_and_saved_masked(
    ann: ChatUser, bot: BotApplication
) -> None:
    pasted = await ann.says("公司名称：王总138 1234 5678\n经营范围：塑料制品制造、加工")
    replies = await skip_to_the_scorecard(ann, pasted)

    assert "Overall" in texts(replies)
    listing = await ann.says("/suppliers")
    for seen in (texts(replies), texts(listing), " ".join(ann.buttons())):
        assert "1234 5678" not in seen
        assert "12345678" not in seen
    assert "••••5678" in texts(replies)
    async with bot.bot_data.sessions() as session:
        (record,) = await session.scalars(select(SupplierCheckRecord))
    assert record.label == "王总••••5678"
    assert "12345678" not in str(record.facts).replace(" ", "")


async def test_texts_the_bot_did_not_understand_are_echoed_masked(ann: ChatUser) -> None:
    await ann.says("/track")
    track = await ann.says("pay 6222 0212 3456 7890 128 maybe")
    await ann.says("/cancel")
    quiet = await ann.says("/quiet call 139 1234 5678")

    assert "pay ••••0128 maybe" in texts(track)
    assert "call ••••5678" in texts(quiet)
    for seen in (texts(track), texts(quiet)):
        assert "3456 7890" not in seen
        assert "1234 5678" not in seen


async def test_a_name_typed_in_the_button_flow_or_as_an_edit_is_stored_masked(
    ann: ChatUser, bot: BotApplication
) -> None:
    await ann.says("/track")
    await ann.taps("Shipped today")
    created = await ann.says("alipay 139 1234 5678")
    assert "1234 5678" not in texts(created)
    assert await labels_of(bot, ann.user_id) == ["alipay ••••5678"]

    await ann.taps("Edit")
    edited = await ann.says("卡号 6222 0212 3456\n7890 128")

    assert "3456" not in texts(edited)
    assert await labels_of(bot, ann.user_id) == ["卡号 ••••0128"]
