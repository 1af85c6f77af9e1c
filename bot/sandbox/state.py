"""What the sandbox remembers: users, chats, their messages, files and bot settings.

Everything here is plain data plus small bookkeeping; the HTTP layer (`server.py`) and
the Bot API methods (`botapi.py`) change it, tests read it.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.clock import Clock, SystemClock

JsonDict = dict[str, Any]


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of MessageEntity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(kw_only=True)
class SandboxUser:
    """A Telegram user who talks to the bot. Their private chat id equals their id."""

    id: int
    first_name: str = "Ann"
    username: str | None = None
    language_code: str | None = "en"
    blocked: bool = False

    def to_api(self) -> JsonDict:
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass(kw_only=True)
class StoredFile:
    """A file somebody sent; `data` is None for files only known by URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None
    mime_type: str | None = None
    file_name: str | None = None

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)

    def to_api(self) -> JsonDict:
        file: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_path": self.file_path,
        }
        if self.size is not None:
            file["file_size"] = self.size
        return file


@dataclass(kw_only=True)
class StoredMessage:
    """One message in a chat as the sandbox keeps it, after entity parsing.

    `html` keeps the raw text (or caption) the bot sent with parse_mode HTML, so tests can
    check the markup itself; `text`/`caption` are the plain strings users would see.
    `seq` is the sandbox event number of the message's creation or latest edit.
    """

    message_id: int
    chat_id: int
    from_bot: bool
    sender: JsonDict
    date: int = 0  # Unix seconds, by the sandbox's clock (World.add_message sets it)
    text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    html: str | None = None
    parse_mode: str | None = None
    reply_markup: JsonDict | None = None
    caption: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    photo: list[JsonDict] | None = None
    document: JsonDict | None = None
    extra: JsonDict = field(default_factory=dict)
    reply_to_message_id: int | None = None
    edited: bool = False
    edit_date: int | None = None
    deleted: bool = False
    seq: int = 0

    def inline_buttons(self) -> list[JsonDict]:
        """Buttons of the inline keyboard, row after row, as one flat list."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def inline_markup(self) -> JsonDict | None:
        """The markup as Telegram reports it in a Message: only inline keyboards."""
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    def to_json(self) -> JsonDict:
        """Everything the sandbox knows, for the HTTP control API."""
        return asdict(self) | {"inline_buttons": self.inline_buttons()}


@dataclass(kw_only=True)
class SandboxChat:
    """A private chat (id == user id), a group or a channel (negative id) and its messages.

    `migrated_to`: a group that became a supergroup; Telegram refuses sends to the old id
    with 400 and the new id in `parameters.migrate_to_chat_id`. `bot_removed`: the bot was
    removed from the group; sends answer 403."""

    id: int
    type: str = "private"
    title: str | None = None
    user: SandboxUser | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    migrated_to: int | None = None
    bot_removed: bool = False  # the bot was removed from this group: sends answer 403
    # Members who are admins writing anonymously (as the group); getChatMember says so.
    anonymous_admins: set[int] = field(default_factory=set)

    def to_api(self) -> JsonDict:
        chat: JsonDict = {"id": self.id, "type": self.type}
        if self.title:
            chat["title"] = self.title
        if self.user is not None:
            chat["first_name"] = self.user.first_name
            if self.user.username:
                chat["username"] = self.user.username
        return chat

    @property
    def blocked(self) -> bool:
        return self.user is not None and self.user.blocked

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def live_message(self, message_id: int) -> StoredMessage | None:
        message = self.messages.get(message_id)
        return None if message is None or message.deleted else message

    def render(self, message: StoredMessage, *, with_reply: bool = True) -> JsonDict:
        """The Message object of the Bot API for `message`."""
        out: JsonDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self.to_api(),
            "from": message.sender,
        }
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        if message.text is not None:
            out["text"] = message.text
            if message.entities:
                out["entities"] = message.entities
        if message.photo is not None:
            out["photo"] = message.photo
        if message.document is not None:
            out["document"] = message.document
        if message.caption:
            out["caption"] = message.caption
            if message.caption_entities:
                out["caption_entities"] = message.caption_entities
        out.update(message.extra)
        if message.inline_markup is not None:
            out["reply_markup"] = message.inline_markup
        replied = self._replied_message(message) if with_reply else None
        if replied is not None:
            out["reply_to_message"] = self.render(replied, with_reply=False)
        return out

    def _replied_message(self, message: StoredMessage) -> StoredMessage | None:
        if message.reply_to_message_id is None:
            return None
        return self.live_message(message.reply_to_message_id)


@dataclass(kw_only=True)
class CallbackQueryRecord:
    """A button press waiting for answerCallbackQuery."""

    id: str
    user_id: int
    created: float
    answer: JsonDict | None = None


@dataclass(kw_only=True)
class RecordedCall:
    """One Bot API request as the sandbox saw it."""

    method: str
    params: JsonDict
    ok: bool
    error_code: int | None
    description: str | None
    time: float
    duration: float
    result: Any = None


@dataclass(kw_only=True)
class WebhookAttempt:
    """One POST of an update to the bot's webhook."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    time: float


class ChangeSignal:
    """Wakes every coroutine waiting for 'something changed in the sandbox'."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float | None) -> bool:
        """Return True when notified, False when `timeout` (None: no limit) passed first."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(waiter)
        return True


def _settings_key(scope: object, language_code: object) -> str:
    return json.dumps([scope or {"type": "default"}, language_code or ""], sort_keys=True)


class World:
    """Users, chats, files and bot settings shared by every token of one sandbox."""

    def __init__(self, on_change: Callable[[], None], clock: Clock | None = None) -> None:
        # Telegram's clock: message dates, edit dates, the 48-hour delete window. Tests give
        # it the bot's clock, so a bot run at a chosen moment sees matching dates.
        self.clock: Clock = clock or SystemClock()
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        # Per chat, in order: (event number, message) for every bot message and edit.
        self.bot_message_events: dict[int, list[tuple[int, StoredMessage]]] = {}
        self.event_seq = 0
        self.commands: dict[str, list[JsonDict]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self._on_change = on_change
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = 0

    def now_unix(self) -> int:
        return int(self.clock.now().timestamp())

    def notify(self) -> None:
        """Tell waiters that something observable changed."""
        self._on_change()

    # -- users and chats -------------------------------------------------------------

    def upsert_user(
        self,
        user_id: int,
        *,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> SandboxUser:
        user = self.users.get(user_id)
        if user is None:
            user = SandboxUser(id=user_id)
            self.users[user_id] = user
        user.first_name = first_name
        user.language_code = language_code
        user.username = username
        return user

    def private_chat(self, user: SandboxUser) -> SandboxChat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = SandboxChat(id=user.id, type="private", user=user)
            self.chats[user.id] = chat
        return chat

    def group(self, chat_id: int, *, title: str, kind: str = "group") -> SandboxChat:
        """A group, supergroup or channel (`kind`), created on first use."""
        if chat_id >= 0:
            raise ValueError(f"group and channel ids are negative, not {chat_id}")
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = SandboxChat(id=chat_id, type=kind, title=title)
            self.chats[chat_id] = chat
        return chat

    # -- messages --------------------------------------------------------------------

    def add_message(
        self, chat: SandboxChat, *, from_bot: bool, sender: JsonDict, **fields: Any
    ) -> StoredMessage:
        fields.setdefault("date", self.now_unix())
        message = StoredMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.id,
            from_bot=from_bot,
            sender=sender,
            **fields,
        )
        chat.messages[message.message_id] = message
        if from_bot:
            self.record_bot_event(message)
        else:
            self._on_change()
        return message

    def record_bot_event(self, message: StoredMessage) -> None:
        """A bot message was created or edited: give it a new event number."""
        self.event_seq += 1
        message.seq = self.event_seq
        self.bot_message_events.setdefault(message.chat_id, []).append((self.event_seq, message))
        self._on_change()

    def next_bot_event(self, chat_id: int, after: int) -> StoredMessage | None:
        """The first bot message event in the chat numbered above `after`."""
        events = self.bot_message_events.get(chat_id, [])
        index = bisect.bisect_right(events, after, key=lambda event: event[0])
        return events[index][1] if index < len(events) else None

    def delete_message(self, message: StoredMessage) -> None:
        message.deleted = True
        self._on_change()

    # -- files -----------------------------------------------------------------------

    def add_file(
        self,
        data: bytes | None,
        *,
        folder: str,
        extension: str,
        mime_type: str | None = None,
        file_name: str | None = None,
    ) -> StoredFile:
        self._file_counter += 1
        stored = StoredFile(
            file_id=f"SBX{secrets.token_urlsafe(24)}",
            file_unique_id=f"U{secrets.token_urlsafe(9)}",
            file_path=f"{folder}/file_{self._file_counter}.{extension}",
            data=data,
            mime_type=mime_type,
            file_name=file_name,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return self._files_by_path.get(file_path)

    # -- bot settings ----------------------------------------------------------------

    def set_commands(self, scope: object, language_code: object, commands: list[JsonDict]) -> None:
        key = _settings_key(scope, language_code)
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)

    def get_commands(self, scope: object, language_code: object) -> list[JsonDict]:
        return self.commands.get(_settings_key(scope, language_code), [])
