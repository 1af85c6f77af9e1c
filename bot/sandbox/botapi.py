"""The Bot API methods of the sandbox: what each call changes and what Telegram answers.

Calls arrive here already validated against the spec (`validation.validate_call`), so
parameters have their JSON types. Methods without an entry in `BotApi._handlers` are
accepted with result `True` and change nothing: chat administration (ban/restrict/
promote/pin/setChatTitle…), reactions, stickers sets, forum topics, payments, games,
business and gift methods and the like. For methods whose real result is an object
(sendPoll, sendMediaGroup, sendVenue, getUserProfilePhotos, …) that `True` is a known
simplification; PTB will fail to parse it if a bot ever relies on them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.errors import ApiError, bad_request, conflict, forbidden, too_many_requests
from bot.sandbox.flood import FloodControl
from bot.sandbox.media import document_info, photo_sizes
from bot.sandbox.state import (
    JsonDict,
    SandboxChat,
    StoredFile,
    StoredMessage,
    World,
)
from bot.sandbox.updates import (
    TERMINATED_BY_SET_WEBHOOK,
    UpdateQueue,
    WebhookConfig,
    WebhookManager,
)
from bot.sandbox.validation import (
    UploadedFile,
    check_bot_commands,
    check_callback_answer_text,
    check_reply_markup,
    format_text,
)

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
DELETE_WINDOW_SECONDS = 48 * 3600
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # bots may download files up to 20 MB
WEBHOOK_PORTS = (80, 88, 443, 8443)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]+")

# sendX method -> (file parameter, storage folder, default extension, fixed content fields)
_MEDIA_METHODS: dict[str, tuple[str, str, str, JsonDict]] = {
    "sendAudio": ("audio", "music", "mp3", {"duration": 0}),
    "sendVideo": ("video", "videos", "mp4", {"width": 640, "height": 360, "duration": 0}),
    "sendAnimation": (
        "animation",
        "animations",
        "mp4",
        {"width": 320, "height": 240, "duration": 0},
    ),
    "sendVoice": ("voice", "voice", "oga", {"duration": 0}),
    "sendVideoNote": ("video_note", "video_notes", "mp4", {"length": 240, "duration": 0}),
    "sendSticker": (
        "sticker",
        "stickers",
        "webp",
        {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False},
    ),
}


@dataclass(frozen=True)
class BotIdentity:
    """The bot behind one token: id from the token, username from the sandbox."""

    id: int
    username: str
    first_name: str = "Sourcing Guard"

    def to_api(self) -> JsonDict:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> JsonDict:
        return self.to_api() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass(frozen=True)
class Call:
    """One validated request: who calls, the decoded parameters and the raw uploads."""

    bot: BotIdentity
    params: JsonDict
    uploads: Mapping[str, UploadedFile]

    def get(self, name: str) -> Any:
        """The parameter, with "" treated as absent like the real server does."""
        value = self.params.get(name)
        return None if value == "" else value


@dataclass(frozen=True)
class Answer:
    """A result plus the description Telegram adds to some answers (setWebhook…)."""

    result: Any
    description: str | None = None


Handler = Callable[[Call], Awaitable[Any]]


class BotApi:
    """Implements the methods; `call` returns the result or raises ApiError."""

    def __init__(
        self,
        world: World,
        queue: UpdateQueue,
        webhooks: WebhookManager,
        flood: FloodControl,
        *,
        callback_query_ttl: float,
    ) -> None:
        self.world = world
        self.queue = queue
        self.webhooks = webhooks
        self.flood = flood
        self.callback_query_ttl = callback_query_ttl
        self._handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": self.accept,
            "close": self.accept,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendLocation": self.send_location,
            "sendContact": self.send_contact,
            "sendDice": self.send_dice,
            "copyMessage": self.copy_message,
            "copyMessages": self.copy_messages,
            "forwardMessage": self.forward_message,
            "forwardMessages": self.forward_messages,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMyDescription": self._bot_text_setter("description"),
            "getMyDescription": self._bot_text_getter("description"),
            "setMyShortDescription": self._bot_text_setter("short_description"),
            "getMyShortDescription": self._bot_text_getter("short_description"),
            "setMyName": self._bot_text_setter("name"),
            "getMyName": self._bot_text_getter("name"),
            "sendChatAction": self.send_chat_action,
            "getFile": self.get_file,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatMemberCount": self.get_chat_member_count,
        }
        for method in _MEDIA_METHODS:
            self._handlers[method] = self._media_sender(method)

    async def call(self, method: str, call: Call) -> Any:
        """Run `method` (canonical spelling); returns the result or an `Answer`."""
        handler = self._handlers.get(method, self.accept)
        return await handler(call)

    # -- identity and lifecycle ------------------------------------------------------

    async def accept(self, call: Call) -> Any:
        return True

    async def get_me(self, call: Call) -> Any:
        return call.bot.get_me()

    # -- updates and webhooks --------------------------------------------------------

    async def get_updates(self, call: Call) -> Any:
        if self.webhooks.active:
            raise conflict(WEBHOOK_ACTIVE)
        # The real server clamps instead of rejecting: limit 1..100, timeout 0..50 s.
        limit = _clamp(_int_or(call.get("limit"), 100), 1, 100)
        timeout = _clamp(_int_or(call.get("timeout"), 0), 0, 50)
        self.queue.set_allowed_updates(call.get("allowed_updates"))
        return await self.queue.long_poll(_int_or(call.get("offset"), 0), limit, timeout)

    async def set_webhook(self, call: Call) -> Any:
        url = str(call.get("url") or "").strip()
        if not url:
            return await self.delete_webhook(call)
        check_webhook_url(url)
        secret = call.get("secret_token")
        if secret is not None:
            check_secret_token(str(secret))
        config = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=_int_or(call.get("max_connections"), 40),
            ip_address=call.get("ip_address"),
            allowed_updates=call.get("allowed_updates"),
            has_custom_certificate=call.get("certificate") is not None,
        )
        self.queue.terminate_poll(TERMINATED_BY_SET_WEBHOOK)
        if call.get("drop_pending_updates"):
            self.queue.drop_all()
        self.queue.set_allowed_updates(config.allowed_updates)
        changed = await self.webhooks.set(config)
        return Answer(True, "Webhook was set" if changed else "Webhook is already set")

    async def delete_webhook(self, call: Call) -> Any:
        was_set = await self.webhooks.delete()
        if call.get("drop_pending_updates"):
            self.queue.drop_all()
        return Answer(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    async def get_webhook_info(self, call: Call) -> Any:
        return self.webhooks.info()

    # -- sending ---------------------------------------------------------------------

    async def send_message(self, call: Call) -> Any:
        raw = call.get("text") or ""
        text, entities = format_text(raw, call.get("parse_mode"), call.get("entities"))
        content = {"text": text, "entities": entities, **_markup_source(raw, call)}
        return self._post_message(call, content)

    async def send_photo(self, call: Call) -> Any:
        stored = self._incoming_file(call, "photo", folder="photos", extension="jpg")
        return self._post_message(call, {"photo": photo_sizes(stored), **_caption_fields(call)})

    async def send_document(self, call: Call) -> Any:
        stored = self._incoming_file(call, "document", folder="documents", extension="bin")
        content = {"document": document_info(stored), **_caption_fields(call)}
        return self._post_message(call, content)

    def _media_sender(self, method: str) -> Handler:
        """sendAudio, sendVideo, …: stored like documents, shown with fixed dimensions."""
        name, folder, extension, fields = _MEDIA_METHODS[method]

        async def send(call: Call) -> Any:
            stored = self._incoming_file(call, name, folder=folder, extension=extension)
            media = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, **fields}
            return self._post_message(call, {"extra": {name: media}, **_caption_fields(call)})

        return send

    async def send_location(self, call: Call) -> Any:
        location = {"latitude": call.get("latitude"), "longitude": call.get("longitude")}
        return self._post_message(call, {"extra": {"location": location}})

    async def send_contact(self, call: Call) -> Any:
        contact = {"phone_number": call.get("phone_number"), "first_name": call.get("first_name")}
        return self._post_message(call, {"extra": {"contact": contact}})

    async def send_dice(self, call: Call) -> Any:
        # A fixed value keeps tests deterministic; any value in range is valid Telegram output.
        dice = {"emoji": call.get("emoji") or "🎲", "value": 1}
        return self._post_message(call, {"extra": {"dice": dice}})

    async def send_chat_action(self, call: Call) -> Any:
        self._writable_chat(call.get("chat_id"))
        return True

    def _post_message(self, call: Call, content: JsonDict) -> JsonDict:
        """Checks shared by every send: markup, target chat, reply target, flood."""
        markup = self._markup(call.get("reply_markup"))
        chat = self._writable_chat(call.get("chat_id"))
        reply_to = self._reply_target(chat, call.get("reply_parameters"))
        self._charge_flood(chat)
        message = self.world.add_message(
            chat,
            from_bot=True,
            sender=call.bot.to_api(),
            reply_markup=markup,
            reply_to_message_id=reply_to,
            **content,
        )
        return chat.render(message)

    # -- copying and forwarding ------------------------------------------------------

    async def copy_message(self, call: Call) -> Any:
        source = self._source_message(call, int(call.get("message_id") or 0), "copy")
        content = _copied_content(source)
        if call.get("caption") is not None:
            content |= _caption_fields(call)
        return {"message_id": self._post_message(call, content)["message_id"]}

    async def copy_messages(self, call: Call) -> Any:
        return [
            {"message_id": self._post_message(call, _copied_content(source))["message_id"]}
            for source in self._source_messages(call)
        ]

    async def forward_message(self, call: Call) -> Any:
        source = self._source_message(call, int(call.get("message_id") or 0), "forward")
        return self._post_message(call, _forwarded_content(source))

    async def forward_messages(self, call: Call) -> Any:
        return [
            {"message_id": self._post_message(call, _forwarded_content(source))["message_id"]}
            for source in self._source_messages(call)
        ]

    def _source_message(self, call: Call, message_id: int, verb: str) -> StoredMessage:
        source_chat = self._known_chat(call.get("from_chat_id"))
        source = source_chat.live_message(message_id)
        if source is None:
            raise bad_request(f"message to {verb} not found")
        return source

    def _source_messages(self, call: Call) -> list[StoredMessage]:
        source_chat = self._known_chat(call.get("from_chat_id"))
        found = (source_chat.live_message(int(i)) for i in call.get("message_ids") or [])
        return [message for message in found if message is not None]

    # -- editing and deleting --------------------------------------------------------

    async def edit_message_text(self, call: Call) -> Any:
        raw = call.get("text") or ""
        text, entities = format_text(raw, call.get("parse_mode"), call.get("entities"))
        markup = self._markup(call.get("reply_markup"))
        chat, message = self._editable_message(call)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        if (text, entities, markup) == (message.text, message.entities, message.inline_markup):
            raise bad_request(NOT_MODIFIED)
        self._charge_flood(chat)
        source = _markup_source(raw, call)
        message.text, message.entities = text, entities
        message.html, message.parse_mode = source["html"], source["parse_mode"]
        message.reply_markup = markup
        return self._finish_edit(chat, message)

    async def edit_message_caption(self, call: Call) -> Any:
        fields = _caption_fields(call)
        markup = self._markup(call.get("reply_markup"))
        chat, message = self._editable_message(call)
        if message.text is not None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = fields.get("caption") or "", fields.get("caption_entities") or []
        current = (message.caption or "", message.caption_entities, message.inline_markup)
        if (caption, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        self._charge_flood(chat)
        message.caption, message.caption_entities = caption, entities
        message.html, message.parse_mode = fields.get("html"), fields.get("parse_mode")
        message.reply_markup = markup
        return self._finish_edit(chat, message)

    async def edit_message_reply_markup(self, call: Call) -> Any:
        markup = self._markup(call.get("reply_markup"))
        chat, message = self._editable_message(call)
        if markup == message.inline_markup:
            raise bad_request(NOT_MODIFIED)
        self._charge_flood(chat)
        message.reply_markup = markup
        return self._finish_edit(chat, message)

    def _editable_message(self, call: Call) -> tuple[SandboxChat, StoredMessage]:
        if call.get("inline_message_id") is not None:
            # The sandbox has no inline mode, so no inline message can exist.
            raise bad_request("message to edit not found")
        if call.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if call.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self._writable_chat(call.get("chat_id"))
        message = chat.live_message(int(call.get("message_id")))
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return chat, message

    def _finish_edit(self, chat: SandboxChat, message: StoredMessage) -> JsonDict:
        message.edited = True
        message.edit_date = self.world.now_unix()
        self.world.record_bot_event(message)
        return chat.render(message)

    async def delete_message(self, call: Call) -> Any:
        chat = self._known_chat(call.get("chat_id"))
        message = chat.live_message(int(call.get("message_id") or 0))
        if message is None:
            raise bad_request("message to delete not found")
        if self.world.now_unix() - message.date > DELETE_WINDOW_SECONDS:
            raise bad_request("message can't be deleted")
        self.world.delete_message(message)
        return True

    async def delete_messages(self, call: Call) -> Any:
        # Like Telegram, ids that can't be found are skipped silently.
        chat = self._known_chat(call.get("chat_id"))
        for message_id in call.get("message_ids") or []:
            message = chat.live_message(int(message_id))
            if message is not None:
                self.world.delete_message(message)
        return True

    # -- callback queries ------------------------------------------------------------

    async def answer_callback_query(self, call: Call) -> Any:
        check_callback_answer_text(call.get("text"))
        record = self.world.callback_queries.get(str(call.get("callback_query_id")))
        expired = record is None or time.monotonic() - record.created > self.callback_query_ttl
        if record is None or expired or record.answer is not None:
            raise bad_request(QUERY_TOO_OLD)
        record.answer = {
            "text": call.get("text"),
            "show_alert": bool(call.get("show_alert")),
            "url": call.get("url"),
        }
        self.world.notify()
        return True

    # -- bot settings ----------------------------------------------------------------

    async def set_my_commands(self, call: Call) -> Any:
        commands = list(call.get("commands") or [])
        check_bot_commands(commands)
        self.world.set_commands(call.get("scope"), call.get("language_code"), commands)
        return True

    async def get_my_commands(self, call: Call) -> Any:
        return self.world.get_commands(call.get("scope"), call.get("language_code"))

    async def delete_my_commands(self, call: Call) -> Any:
        self.world.set_commands(call.get("scope"), call.get("language_code"), [])
        return True

    def _bot_text_setter(self, field: str) -> Handler:
        async def store(call: Call) -> Any:
            key = (field, str(call.get("language_code") or ""))
            value = call.get(field)
            if value:
                self.world.bot_texts[key] = str(value)
            else:
                self.world.bot_texts.pop(key, None)
            return True

        return store

    def _bot_text_getter(self, field: str) -> Handler:
        async def read(call: Call) -> Any:
            texts = self.world.bot_texts
            language = str(call.get("language_code") or "")
            default = call.bot.first_name if field == "name" else ""
            value = texts.get((field, language)) or texts.get((field, "")) or default
            return {field: value}

        return read

    async def set_chat_menu_button(self, call: Call) -> Any:
        chat_id = call.get("chat_id")
        key = None if chat_id is None else self._known_chat(chat_id).id
        self.world.menu_buttons[key] = call.get("menu_button") or {"type": "default"}
        return True

    async def get_chat_menu_button(self, call: Call) -> Any:
        chat_id = call.get("chat_id")
        key = None if chat_id is None else self._known_chat(chat_id).id
        buttons = self.world.menu_buttons
        return buttons.get(key) or buttons.get(None) or {"type": "default"}

    # -- files and chats -------------------------------------------------------------

    async def get_file(self, call: Call) -> Any:
        stored = self.world.files.get(str(call.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if (stored.size or 0) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.to_api()

    async def get_chat(self, call: Call) -> Any:
        chat = self._known_chat(call.get("chat_id"))
        no_gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return chat.to_api() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": no_gifts,
        }

    async def get_chat_member(self, call: Call) -> Any:
        chat = self._known_chat(call.get("chat_id"))
        user_id = int(call.get("user_id") or 0)
        if user_id == call.bot.id:
            return {"status": "member", "user": call.bot.to_api()}
        user = self.world.users.get(user_id)
        if user is None or (chat.user is not None and chat.user.id != user_id):
            raise bad_request("user not found")
        if user_id in chat.anonymous_admins:
            return _anonymous_admin(user.to_api())
        return {"status": "member", "user": user.to_api()}

    async def get_chat_member_count(self, call: Call) -> Any:
        self._known_chat(call.get("chat_id"))
        return 2

    # -- shared checks ---------------------------------------------------------------

    def _known_chat(self, ref: object) -> SandboxChat:
        if ref is None:
            raise bad_request("chat_id is empty")
        chat_id = _numeric_chat_id(ref)
        chat = self.world.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, ref: object) -> SandboxChat:
        chat = self._known_chat(ref)
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if chat.bot_removed:
            kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
            raise forbidden(f"bot was kicked from the {kind}")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _charge_flood(self, chat: SandboxChat) -> None:
        retry_after = self.flood.acquire(chat.id)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def _markup(self, markup: object) -> JsonDict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        check_reply_markup(markup)
        return markup

    def _reply_target(self, chat: SandboxChat, reply_parameters: object) -> int | None:
        if not isinstance(reply_parameters, dict) or "message_id" not in reply_parameters:
            return None
        message_id = int(reply_parameters["message_id"])
        if chat.live_message(message_id) is not None:
            return message_id
        if reply_parameters.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _incoming_file(self, call: Call, name: str, *, folder: str, extension: str) -> StoredFile:
        """The file a send* call refers to: a new upload, a known file_id, or a URL."""
        value = call.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = call.uploads.get(value.removeprefix("attach://"))
        if value is None:
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            return self.world.add_file(
                value.data,
                folder=folder,
                extension=_extension(value.filename) or extension,
                mime_type=value.content_type,
                file_name=value.filename,
            )
        known = self.world.files.get(str(value))
        if known is not None:
            return known
        if _is_http_url(str(value)):
            # Telegram would download it; the sandbox only remembers that it exists.
            return self.world.add_file(None, folder=folder, extension=extension)
        raise bad_request("wrong file identifier/HTTP URL specified")


def check_webhook_url(url: str) -> None:
    """Telegram's rules, plus a deliberate exception: plain http on loopback, any port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise bad_request("invalid webhook URL specified") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("invalid webhook URL specified")
    if parts.hostname in LOOPBACK_HOSTS:
        return
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (port or 443) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def check_secret_token(secret: str) -> None:
    if len(secret) > 256:
        raise bad_request("secret token is too long")
    if not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")


def _markup_source(raw: str, call: Call) -> JsonDict:
    """`html` keeps the raw markup when the bot used parse_mode HTML."""
    parse_mode = call.get("parse_mode")
    is_html = isinstance(parse_mode, str) and parse_mode.lower() == "html"
    return {"html": raw if is_html else None, "parse_mode": parse_mode}


def _caption_fields(call: Call) -> JsonDict:
    raw = call.get("caption")
    if raw is None:
        return {}
    caption, entities = format_text(
        str(raw), call.get("parse_mode"), call.get("caption_entities"), caption=True
    )
    return {"caption": caption, "caption_entities": entities, **_markup_source(str(raw), call)}


def _copied_content(source: StoredMessage) -> JsonDict:
    extra = {k: v for k, v in source.extra.items() if k != "forward_origin"}
    return {
        "text": source.text,
        "entities": list(source.entities),
        "caption": source.caption,
        "caption_entities": list(source.caption_entities),
        "photo": source.photo,
        "document": source.document,
        "extra": extra,
    }


def _forwarded_content(source: StoredMessage) -> JsonDict:
    content = _copied_content(source)
    origin = source.extra.get("forward_origin") or {
        "type": "user",
        "sender_user": source.sender,
        "date": source.date,
    }
    content["extra"] = content["extra"] | {"forward_origin": origin}
    return content


def _numeric_chat_id(ref: object) -> int | None:
    """Chat ids arrive as int (JSON) or digits (form); @usernames never match a private chat."""
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return ref
    text = str(ref).strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def _int_or(value: object, default: int) -> int:
    if value is None or isinstance(value, bool):
        return default
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise bad_request("invalid integer value") from exc


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _extension(filename: str | None) -> str | None:
    if not filename or "." not in filename:
        return None
    suffix = filename.rsplit(".", 1)[1].lower()
    return suffix if suffix.isalnum() and len(suffix) <= 8 else None


def _is_http_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


__all__ = ["Answer", "ApiError", "BotApi", "BotIdentity", "Call"]


def _anonymous_admin(user: JsonDict) -> JsonDict:
    """A ChatMemberAdministrator who remains anonymous in the group."""
    rights = (
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    )
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": False,
        "is_anonymous": True,
        "can_promote_members": False,
        **dict.fromkeys(rights, True),
    }
