"""Groups, anonymous admins, channels and a group's move to a supergroup, shaped as the
Bot API sends them (checked against the schema)."""

from __future__ import annotations

import pytest

from bot.sandbox.botapi import BotIdentity, Call
from bot.sandbox.errors import ApiError
from bot.sandbox.server import Sandbox
from bot.sandbox.validation import check_object

GROUP = -4001
CHANNEL = -1009001


async def test_an_anonymous_admin_writes_as_the_group(sandbox: Sandbox) -> None:
    sandbox.add_group(GROUP, "Buyers")
    update = await sandbox.send_group_text(GROUP, "/spec", sender_chat_id=GROUP)
    check_object("Update", update)
    message = update["message"]
    assert message["from"]["username"] == "GroupAnonymousBot"
    assert message["sender_chat"] == {"id": GROUP, "type": "group", "title": "Buyers"}


async def test_a_channel_posts_and_speaks_in_its_discussion_group(sandbox: Sandbox) -> None:
    sandbox.add_group(GROUP, "Buyers", kind="supergroup")
    sandbox.add_group(CHANNEL, "Deals", kind="channel")
    post = await sandbox.post_in_channel(CHANNEL, "New batch")
    check_object("Update", post)
    assert "from" not in post["channel_post"]
    said = await sandbox.send_group_text(GROUP, "hello", sender_chat_id=CHANNEL)
    check_object("Update", said)
    assert said["message"]["sender_chat"]["type"] == "channel"


async def test_a_migrated_group_refuses_sends_with_the_new_id(sandbox: Sandbox) -> None:
    sandbox.add_group(GROUP, "Buyers")
    left, arrived = await sandbox.migrate_group(GROUP, -1004001, user_id=1001)
    for update in (left, arrived):
        check_object("Update", update)
    assert left["message"]["migrate_to_chat_id"] == -1004001
    assert arrived["message"]["migrate_from_chat_id"] == GROUP
    with pytest.raises(ApiError) as refused:
        sandbox.api._writable_chat(GROUP)
    assert refused.value.envelope() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1004001},
    }
    sandbox.api._writable_chat(-1004001)


async def test_an_anonymous_admin_is_one_by_get_chat_member_and_presses_as_themselves(
    sandbox: Sandbox,
) -> None:
    sandbox.add_group(GROUP, "Buyers", kind="supergroup")
    sandbox.make_anonymous_admin(GROUP, 1005)
    member = await sandbox.api.get_chat_member(_call(chat_id=GROUP, user_id=1005))
    check_object("ChatMember", member)
    assert member["is_anonymous"] is True


def _call(**params: object) -> Call:
    bot = BotIdentity(id=123456789, username="SourcingGuardBot", first_name="Sourcing Guard")
    return Call(bot=bot, params=dict(params), uploads={})
