"""Who is speaking, when a message is sent on behalf of a chat.

An anonymous group admin, and a channel writing in a group, reach the bot as Telegram's
placeholder bots (GroupAnonymousBot, Channel_Bot) in `from`, with the real sender in
`sender_chat`. One placeholder stands for every anonymous admin of every group, so taken
as it is, all groups would share one user: one flow, one set of orders, and, being a bot,
no row in `users` (the first write failed on the foreign key). The sender is the chat
itself instead: the group for its anonymous admins, the channel for its posts in a group.
Its id is negative and never a person's, so it is an identity of its own, per chat, and
everything keyed by user (the users row, flows, orders, the order of updates) follows.
"""

from __future__ import annotations

from telegram import Bot, Update


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
    data[kind]["from"] = {
        "id": sender.id,
        "is_bot": False,
        "first_name": sender.title or sender.effective_name or str(sender.id),
    }
    rewritten = Update.de_json(data, bot)
    return rewritten if rewritten is not None else update


def is_channel_post(update: object) -> bool:
    """A post in a channel, or its automatic copy in the channel's discussion group: the
    bot has nobody to talk to there, and answers nothing."""
    if not isinstance(update, Update):
        return False
    if update.channel_post is not None or update.edited_channel_post is not None:
        return True
    message = update.message or update.edited_message
    return message is not None and bool(message.is_automatic_forward)
