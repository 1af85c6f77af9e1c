"""Who is speaking, when a message is sent on behalf of a chat.

An anonymous group admin, and a channel writing in a group, reach the bot as Telegram's
placeholder bots (GroupAnonymousBot, Channel_Bot) in `from`, with the real sender in
`sender_chat`. One placeholder stands for every anonymous admin of every group, so taken
as it is, all groups would share one user: one flow, one set of orders, and, being a bot,
no row in `users` (the first write failed on the foreign key). The sender is the chat
itself instead: the group for its anonymous admins, the channel for its posts in a group.
Its id is negative and never a person's, so it is an identity of its own, per chat, and
everything keyed by user (the users row, flows, orders, the order of updates) follows.

An anonymous admin's button presses, though, come from their own account: Telegram hides
who wrote, not who pressed. A press in a group by an admin who writes anonymously there
(getChatMember says `is_anonymous`, remembered for a while) is the group's too, so the
buttons of a flow the group started answer it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot, ChatMemberAdministrator, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

log = logging.getLogger(__name__)

# How long an answer of getChatMember is trusted: admins rarely change their anonymity,
# and a group's presses must not each cost a request.
ANONYMITY_SECONDS = 600.0


def speaking_as_sender_chat(update: object, bot: Bot) -> object:
    """`update` with a message sent on behalf of a chat turned into one from that chat;
    any other update as it is. Channel posts are left alone: they are not a conversation
    with the bot (see `is_channel_post`)."""
    if not isinstance(update, Update):
        return update
    message = update.message or update.edited_message
    if message is None or message.sender_chat is None:
        return update
    sender = message.sender_chat
    data = update.to_dict()
    kind = "message" if update.message is not None else "edited_message"
    data[kind]["from"] = _chat_as_user(sender.id, sender.title or sender.effective_name)
    rewritten = Update.de_json(data, bot)
    return rewritten if rewritten is not None else update


class Senders:
    """Who each update is from, as the handlers should see it (the module docstring)."""

    def __init__(
        self,
        bot: Bot,
        *,
        remember_for: float = ANONYMITY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        self._remember_for = remember_for
        self._clock = clock
        self._anonymous: dict[tuple[int, int], tuple[bool, float]] = {}

    async def resolve(self, update: object) -> object:
        update = speaking_as_sender_chat(update, self._bot)
        if not isinstance(update, Update) or update.callback_query is None:
            return update
        query = update.callback_query
        message = query.message
        if message is None or message.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
            return update
        if not await self._is_anonymous_admin(message.chat.id, query.from_user.id):
            return update
        data = update.to_dict()
        data["callback_query"]["from"] = _chat_as_user(message.chat.id, message.chat.title)
        rewritten = Update.de_json(data, self._bot)
        return rewritten if rewritten is not None else update

    async def _is_anonymous_admin(self, chat_id: int, user_id: int) -> bool:
        now = self._clock()
        known = self._anonymous.get((chat_id, user_id))
        if known is not None and known[1] > now:
            return known[0]
        try:
            member = await self._bot.get_chat_member(chat_id, user_id)
        except TelegramError:
            # Not knowing, the press is the person's own, as it comes.
            log.info("could not tell whether %d is anonymous in %d", user_id, chat_id)
            return False
        anonymous = isinstance(member, ChatMemberAdministrator) and member.is_anonymous
        if len(self._anonymous) > 10_000:
            self._anonymous = {
                key: value for key, value in self._anonymous.items() if value[1] > now
            }
        self._anonymous[(chat_id, user_id)] = (anonymous, now + self._remember_for)
        return anonymous


def _chat_as_user(chat_id: int, title: str | None) -> dict[str, object]:
    return {"id": chat_id, "is_bot": False, "first_name": title or str(chat_id)}


def is_channel_post(update: object) -> bool:
    """A post in a channel, or its automatic copy in the channel's discussion group: the
    bot has nobody to talk to there, and answers nothing."""
    if not isinstance(update, Update):
        return False
    if update.channel_post is not None or update.edited_channel_post is not None:
        return True
    message = update.message or update.edited_message
    return message is not None and bool(message.is_automatic_forward)
