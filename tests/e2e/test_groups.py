"""Groups and channels (issue 18): an anonymous admin speaks for their group and a channel
for itself, each with an identity of its own, so two groups never share a flow; a group
that becomes a supergroup keeps its orders and reminders, delivered to the new chat id;
and a user's own slips (a double tap, a late press) are answered quietly, never paged to
the admins as if the bot had failed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from telegram import Update

from bot.app import BotApplication
from bot.clock import ShiftedClock
from bot.db.models import Order, Reminder, ReminderStatus, User
from bot.sandbox.flood import FloodLimits
from bot.sandbox.server import Sandbox
from bot.sandbox.state import StoredMessage
from tests.conftest import ChatUser, HandledUpdates, texts
from tests.e2e import test_reminders_exact
from tests.e2e.test_reminders_exact import HOUR, WARNING, reminders_settle

ADMIN_ID = 42  # tests/conftest.py sets ADMIN_IDS to this
GROUP_A, GROUP_B = -5001, -5002
CHANNEL = -1009001
SPEC_ANSWERS = ("PP", "0.38 kg", "10x10x10 cm", "red", "500", "opp bag", "no logo", "15 jan")


# Identity and migration touch the database: every test runs on SQLite and on PostgreSQL.
settings = test_reminders_exact.settings


@pytest.fixture
def flood_limits() -> FloodLimits:
    # Nine answers in a row to one group, faster than people type.
    return FloodLimits(group_per_second=20, group_burst=40)


@dataclass
class GroupChat:
    """A group the bot is in; someone writes in it, and the bot's new messages are read."""

    sandbox: Sandbox
    chat_id: int
    handled: HandledUpdates
    seen: set[int] = field(default_factory=set)

    async def anonymous_admin_says(self, text: str) -> list[StoredMessage]:
        update = await self.sandbox.send_group_text(
            self.chat_id, text, sender_chat_id=self.chat_id
        )
        return await self.replies(update["update_id"])

    async def member_says(self, user_id: int, text: str) -> list[StoredMessage]:
        update = await self.sandbox.send_group_text(self.chat_id, text, user_id=user_id)
        return await self.replies(update["update_id"])

    async def replies(self, update_id: int) -> list[StoredMessage]:
        await self.handled.wait(update_id)
        await self.sandbox.wait_until_settled(timeout=30)
        fresh = [m for m in self.sandbox.bot_messages(self.chat_id) if m.seq not in self.seen]
        self.seen.update(m.seq for m in fresh)
        return fresh


@pytest.fixture
async def admin(sandbox: Sandbox, handled: HandledUpdates) -> ChatUser:
    olga = ChatUser(sandbox, user_id=ADMIN_ID, first_name="Olga", handled=handled)
    await olga.says("/start")
    await olga.replies()
    return olga


def group(
    sandbox: Sandbox, handled: HandledUpdates, chat_id: int, *, kind: str = "group"
) -> GroupChat:
    sandbox.add_group(chat_id, f"Buyers {chat_id}", kind=kind)
    return GroupChat(sandbox, chat_id, handled)


async def test_anonymous_admins_of_two_groups_never_share_a_spec(
    bot: BotApplication, sandbox: Sandbox, handled: HandledUpdates, admin: ChatUser
) -> None:
    """Bug: every anonymous admin is Telegram's one GroupAnonymousBot, so all groups shared
    one flow: group A's answer appeared in group B's summary."""
    a, b = group(sandbox, handled, GROUP_A), group(sandbox, handled, GROUP_B)

    await a.anonymous_admin_says("/spec")
    await a.anonymous_admin_says("ceramic mugs")
    await b.anonymous_admin_says("/spec")
    await b.anonymous_admin_says("steel bottles")
    for answer in SPEC_ANSWERS[:-1]:
        await a.anonymous_admin_says(answer)
    summary = texts(await a.anonymous_admin_says(SPEC_ANSWERS[-1]))

    assert "ceramic mug" in summary
    assert "bottle" not in summary
    assert "bottle" not in texts(sandbox.bot_messages(GROUP_A))
    assert "ceramic" not in texts(sandbox.bot_messages(GROUP_B))
    assert await admin.replies() == [], "nothing went wrong, nobody is paged"


async def test_a_channel_post_is_left_alone_and_pages_nobody(
    bot: BotApplication, sandbox: Sandbox, handled: HandledUpdates, admin: ChatUser
) -> None:
    """The bot does not ask for channel posts; one that arrives anyway (a webhook set by
    hand for every update type) is nobody to talk to, and no error either."""
    group(sandbox, handled, CHANNEL, kind="channel")
    post = await sandbox.post_in_channel(CHANNEL, "/track 2d cups")

    update = Update.de_json(post, bot.bot)
    assert update is not None
    await bot.process_update(update)
    await sandbox.wait_until_settled()

    assert sandbox.bot_messages(CHANNEL) == []
    assert await admin.replies() == []


async def test_a_channel_posts_copy_in_its_discussion_group_is_left_alone(
    bot: BotApplication, sandbox: Sandbox, handled: HandledUpdates, admin: ChatUser
) -> None:
    discussion = group(sandbox, handled, GROUP_A, kind="supergroup")
    sandbox.add_group(CHANNEL, "Deals", kind="channel")

    copy = await sandbox.send_group_text(
        GROUP_A, "/track 2d cups", sender_chat_id=CHANNEL, automatic_forward=True
    )

    assert await discussion.replies(copy["update_id"]) == []
    assert await orders_of(bot, CHANNEL) == []
    assert await admin.replies() == []


async def test_a_channel_speaking_in_a_group_is_answered_and_pages_nobody(
    bot: BotApplication, sandbox: Sandbox, handled: HandledUpdates, admin: ChatUser
) -> None:
    """Bug: a message sent on behalf of a channel (or an anonymous admin) failed on the
    users foreign key, and every admin got an error note."""
    discussion = group(sandbox, handled, GROUP_A, kind="supergroup")
    sandbox.add_group(CHANNEL, "Deals", kind="channel")

    update = await sandbox.send_group_text(GROUP_A, "/track 2d cups", sender_chat_id=CHANNEL)
    replies = await discussion.replies(update["update_id"])

    assert "cups" in texts(replies)
    assert "went wrong" not in texts(replies)
    assert await admin.replies() == []


async def test_a_double_tap_on_a_feedback_button_pages_no_admin(
    ann: ChatUser, bot: BotApplication, sandbox: Sandbox, admin: ChatUser
) -> None:
    await ann.says("/pay 老板说付到他私人账户，卡号 6222 0212 3456 7890 128")
    (check,) = [m for m in sandbox.bot_messages(ann.user_id) if m.inline_buttons()][-1:]
    data = next(b["callback_data"] for b in check.inline_buttons() if "Right" in b["text"])

    await ann.taps("Right")
    # The second tap of a double tap: the client still showed the old keyboard.
    update = await sandbox.press_button(ann.user_id, check.message_id, data, forged=True)
    replies = await ann.replies(update)

    assert "went wrong" not in texts(replies)
    assert await admin.replies() == []


async def test_a_late_press_on_an_answered_question_pages_no_admin(
    ann: ChatUser, bot: BotApplication, sandbox: Sandbox, admin: ChatUser
) -> None:
    """A press that reaches the bot after Telegram stopped waiting for its answer, on a
    question the user has answered meanwhile (a slow network, a backlog)."""
    await ann.says("/pay 老板说付到他私人账户，卡号 6222 0212 3456 7890 128")
    (check,) = [m for m in sandbox.bot_messages(ann.user_id) if m.inline_buttons()][-1:]
    data = next(b["callback_data"] for b in check.inline_buttons() if "strict" in b["text"])
    await ann.taps("Right")
    sandbox.api.callback_query_ttl = -1  # every answer is too late from here on

    update = await sandbox.press_button(ann.user_id, check.message_id, data, forged=True)
    replies = await ann.replies(update)

    assert "went wrong" not in texts(replies)
    assert await admin.replies() == []


async def reminders_of(bot: BotApplication, chat_id: int) -> list[Reminder]:
    async with bot.bot_data.sessions() as session:
        query = select(Reminder).where(Reminder.chat_id == chat_id).order_by(Reminder.id)
        return list(await session.scalars(query))


async def orders_of(bot: BotApplication, chat_id: int) -> list[Order]:
    async with bot.bot_data.sessions() as session:
        return list(await session.scalars(select(Order).where(Order.chat_id == chat_id)))


async def test_a_group_that_became_a_supergroup_gets_its_reminders_at_the_new_id(
    bot: BotApplication,
    sandbox: Sandbox,
    handled: HandledUpdates,
    clock: ShiftedClock,
    admin: ChatUser,
) -> None:
    """Bug: after the move, sends to the old id answer 400 "group chat was upgraded to a
    supergroup chat"; the reminders were marked failed and never sent anywhere."""
    old = group(sandbox, handled, GROUP_A)
    await old.member_says(1001, "/track 2d cups")
    await reminders_settle(bot, sandbox)
    assert WARNING in texts(sandbox.bot_messages(GROUP_A))

    await sandbox.migrate_group(GROUP_A, -1005001, user_id=1001)
    await sandbox.wait_until_settled()
    clock.jump(25 * HOUR)  # the 24 h stage falls due
    await reminders_settle(bot, sandbox)

    assert WARNING in texts(sandbox.bot_messages(-1005001))
    assert await orders_of(bot, GROUP_A) == []
    assert len(await orders_of(bot, -1005001)) == 1
    statuses = [r.status for r in await reminders_of(bot, -1005001)]
    assert ReminderStatus.FAILED not in statuses
    assert ReminderStatus.SENT in statuses
    assert await admin.replies() == []


async def test_a_reminder_refused_for_a_migrated_group_follows_it(
    bot: BotApplication,
    sandbox: Sandbox,
    handled: HandledUpdates,
    clock: ShiftedClock,
    admin: ChatUser,
) -> None:
    """The migration message may never reach the bot (it was down, or it is not allowed
    to read it): the 400 with `migrate_to_chat_id` on the reminder itself moves the chat."""
    old = group(sandbox, handled, GROUP_A)
    await old.member_says(1001, "/track 2d cups")
    await reminders_settle(bot, sandbox)
    # The group moves, but the bot never hears of it.
    sandbox.world.group(-1005001, title="Buyers", kind="supergroup")
    sandbox.world.chats[GROUP_A].migrated_to = -1005001

    clock.jump(25 * HOUR)
    await reminders_settle(bot, sandbox)

    # Refused at the old id, then sent again, at once, to the new one.
    await sandbox.wait_for(lambda: WARNING in texts(sandbox.bot_messages(-1005001)) or None)
    await reminders_settle(bot, sandbox)
    statuses = [r.status for r in await reminders_of(bot, -1005001)]
    assert ReminderStatus.FAILED not in statuses
    assert ReminderStatus.SENT in statuses


async def test_anonymous_admins_keep_their_orders_when_the_group_moves(
    bot: BotApplication, sandbox: Sandbox, handled: HandledUpdates, admin: ChatUser
) -> None:
    """The group is who its anonymous admins are: when it gets a new id, its orders are
    theirs under the new id too."""
    old = group(sandbox, handled, GROUP_A)
    await old.anonymous_admin_says("/track 2d cups")

    await sandbox.migrate_group(GROUP_A, -1005001, user_id=1001)
    await sandbox.wait_until_settled()
    new = GroupChat(sandbox, -1005001, handled)
    replies = await new.anonymous_admin_says("/orders")
    (listing,) = [m for m in replies if "Your orders" in (m.text or "")]

    assert [button["text"] for button in listing.inline_buttons()] == ["cups · 2d"]
    assert await orders_of(bot, GROUP_A) == []
    assert await admin.replies() == []


async def test_one_member_in_two_groups_has_a_spec_in_each(
    bot: BotApplication, sandbox: Sandbox, handled: HandledUpdates, ann: ChatUser
) -> None:
    """Flows are kept per chat and user: Ann's /spec in group B and the one in her private
    chat do not touch the one she is half-way through in group A."""
    a, b = group(sandbox, handled, GROUP_A), group(sandbox, handled, GROUP_B)

    await a.member_says(ann.user_id, "/spec")
    await a.member_says(ann.user_id, "ceramic mugs")
    await b.member_says(ann.user_id, "/spec")
    await b.member_says(ann.user_id, "steel bottles")
    await ann.says("/spec")
    await ann.says("glass jars")
    for answer in SPEC_ANSWERS[:-1]:
        await a.member_says(ann.user_id, answer)
    summary = texts(await a.member_says(ann.user_id, SPEC_ANSWERS[-1]))

    assert "ceramic mug" in summary
    assert "bottle" not in summary
    assert "jar" not in summary
    for answer in SPEC_ANSWERS[:-1]:
        await b.member_says(ann.user_id, answer)
    in_b = texts(await b.member_says(ann.user_id, SPEC_ANSWERS[-1]))
    assert "bottle" in in_b
    assert "ceramic" not in in_b


async def test_a_message_answered_after_its_group_moved_is_asked_for_again_there(
    bot: BotApplication, sandbox: Sandbox, handled: HandledUpdates, admin: ChatUser
) -> None:
    """A message sent in the group just before it moved is answered after: the reply is
    refused at the old id. The chat is followed, the member asked to send it again in the
    new one, and nobody is paged."""
    old = group(sandbox, handled, GROUP_A)
    await old.member_says(1001, "/track 2d cups")
    update = await sandbox.send_group_text(GROUP_A, "/orders", user_id=1001)
    # The group moves before the bot gets to that message (nothing yielded since).
    sandbox.world.group(-1005001, title="Buyers", kind="supergroup")
    sandbox.world.chats[GROUP_A].migrated_to = -1005001
    await old.replies(update["update_id"])

    assert "send your last message again" in texts(sandbox.bot_messages(-1005001))
    assert len(await orders_of(bot, -1005001)) == 1
    assert await admin.replies() == []


async def test_a_group_that_removed_the_bot_does_not_silence_the_members_own_reminders(
    bot: BotApplication,
    sandbox: Sandbox,
    handled: HandledUpdates,
    clock: ShiftedClock,
    ann: ChatUser,
    admin: ChatUser,
) -> None:
    """Bug: a 403 from a group was taken as the member having blocked the bot: every
    reminder of theirs, private ones included, was paused until they wrote again."""
    team = group(sandbox, handled, GROUP_A)
    await team.member_says(ann.user_id, "/track 2d cups")
    await ann.says("/track 3d mugs")
    await reminders_settle(bot, sandbox)
    sandbox.remove_bot_from_group(GROUP_A)

    clock.jump(49 * HOUR)  # the group's 24 h stage, then Ann's own 24 h stage
    await reminders_settle(bot, sandbox)

    assert "mugs" in texts(sandbox.bot_messages(ann.user_id)[-1:])
    async with bot.bot_data.sessions() as session:
        user = await session.get(User, ann.user_id)
        assert user is not None
        assert not user.blocked
    private = [r.status for r in await reminders_of(bot, ann.user_id)]
    assert ReminderStatus.PAUSED not in private
    assert await admin.replies() == [], "being removed from a group is no bot failure"


async def test_an_anonymous_admins_button_press_answers_the_groups_flow(
    bot: BotApplication, sandbox: Sandbox, handled: HandledUpdates, admin: ChatUser
) -> None:
    """Telegram hides who wrote, not who pressed: the press comes from the admin's own
    account. It still answers the /spec the group (its anonymous admin) started."""
    team = group(sandbox, handled, GROUP_A)
    sandbox.make_anonymous_admin(GROUP_A, 1005)
    await team.anonymous_admin_says("/spec")
    asked = await team.anonymous_admin_says("ceramic mugs")
    (question,) = [m for m in asked if m.inline_buttons()]
    skip = next(b["callback_data"] for b in question.inline_buttons() if "Skip" in b["text"])

    pressed = await sandbox.press_group_button(GROUP_A, 1005, question.message_id, skip)
    replies = await team.replies(pressed["update_id"])

    assert "Question 3 of 9" in texts(replies) + texts(sandbox.bot_messages(GROUP_A)[-1:])
    answer = sandbox.callback_answer(pressed["callback_query"]["id"]) or {}
    assert "no longer valid" not in (answer.get("text") or "")
    assert await admin.replies() == []
