"""A loopback Telegram Bot API server that the real python-telegram-bot talks to over HTTP.

Point PTB at it with
`ApplicationBuilder().token(tok).base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")`.
Every call is validated against the Bot API spec (`validation.validate_call`), answered
with Telegram's envelope and error texts, and recorded in `Sandbox.calls`. Tests and the
terminal chat act as users through the Python methods of `Sandbox`; other processes use
the same control API over HTTP under `/sandbox/` (see `control.py` and README.md).

All well-formed tokens share one world (users, chats, update queue); `getMe` answers with
the id of the token that asked. Request paths contain the token, so the access log is off
and log lines name the method only.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, TextIO, TypeVar

from aiohttp import web

from bot.clock import Clock
from bot.sandbox.botapi import Answer, BotApi, BotIdentity, Call
from bot.sandbox.control import add_control_routes
from bot.sandbox.errors import ApiError, bad_request, not_found, too_many_requests
from bot.sandbox.flood import FloodControl, FloodLimits
from bot.sandbox.media import document_info, photo_sizes, user_text_entities
from bot.sandbox.state import (
    CallbackQueryRecord,
    ChangeSignal,
    JsonDict,
    RecordedCall,
    SandboxChat,
    SandboxUser,
    StoredMessage,
    WebhookAttempt,
    World,
)
from bot.sandbox.updates import RetryPolicy, UpdateQueue, WebhookManager
from bot.sandbox.validation import UploadedFile, validate_call

__all__ = [
    "FloodLimits",
    "RecordedCall",
    "RetryPolicy",
    "Sandbox",
    "StoredMessage",
    "WebhookAttempt",
    "serve",
]

log = logging.getLogger(__name__)

_T = TypeVar("_T")

# Telegram accepts uploads up to 50 MB; leave room for the multipart framing.
MAX_BODY_BYTES = 52 * 1024 * 1024
MAX_TOKEN_LENGTH = 80
TYPING_SECONDS = 5.0
_TOKEN = re.compile(r"[1-9][0-9]*:[A-Za-z0-9_-]+")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_FAULT_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: injected fault",
    500: "Internal Server Error",
}


def is_well_formed_token(token: str) -> bool:
    return len(token) <= MAX_TOKEN_LENGTH and _TOKEN.fullmatch(token) is not None


def invalid_token() -> ApiError:
    return ApiError(401, "Unauthorized: invalid token specified")


@dataclass(kw_only=True)
class Fault:
    """An injected failure for the next `remaining` calls of `method` (None: any)."""

    method: str | None
    status: int
    remaining: int
    retry_after: int | None = None
    delay: float = 0.0
    description: str | None = None

    def matches(self, method: str) -> bool:
        return self.method is None or self.method == method.lower()

    def error(self) -> ApiError | None:
        """The error to answer with; None for a pure delay (status below 300)."""
        if self.status < 300:
            return None
        if self.status == 429:
            return too_many_requests(self.retry_after or 1)
        parameters = {"retry_after": self.retry_after} if self.retry_after else None
        return ApiError(
            self.status, self.description or _fault_description(self.status), parameters
        )


def _fault_description(status: int) -> str:
    if status in _FAULT_DESCRIPTIONS:
        return _FAULT_DESCRIPTIONS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class Sandbox:
    """The loopback Bot API server plus the control API tests use to act as users."""

    def __init__(
        self,
        *,
        bot_username: str = "SourcingGuardBot",
        flood: FloodLimits | None = None,
        webhook_retry: RetryPolicy | None = None,
        callback_query_ttl: float = 15.0,
        clock: Clock | None = None,
    ) -> None:
        self.bot_username = bot_username
        self.calls: list[RecordedCall] = []
        self.webhook_attempts: list[WebhookAttempt] = []
        self._signal = ChangeSignal()
        self._last_activity = time.monotonic()
        # A bot told to retry after N seconds is still working until then.
        self._retry_expected_until = 0.0
        # Telegram shows "typing…" for up to 5 s or until the bot's next message; a bot
        # that announced it is working is not settled before either happens.
        self._typing_until = 0.0
        self._in_flight = 0
        self._faults: list[Fault] = []
        self._query_ids = itertools.count(secrets.randbelow(10**6) * 10**12 + 1)
        self.world = World(self._touch, clock)
        clock = self.world.clock
        self.queue = UpdateQueue(self._touch, on_poll_state=self._signal.notify)
        self.webhooks = WebhookManager(
            self.queue,
            policy=webhook_retry or RetryPolicy(),
            on_attempt=self._on_webhook_attempt,
            clock=clock,
        )
        self.flood = FloodControl(flood or FloodLimits())
        self.api = BotApi(
            self.world,
            self.queue,
            self.webhooks,
            self.flood,
            callback_query_ttl=callback_query_ttl,
        )
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    # -- lifecycle -------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        add_control_routes(app, self)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # No access log: request paths carry the bot token.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        url_host = f"[{host}]" if ":" in host else host
        self._base_url = f"http://{url_host}:{bound_port}"
        log.info("sandbox Bot API listening on %s", self._base_url)

    async def stop(self) -> None:
        self.queue.release_poll()
        await self.webhooks.close()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the sandbox is not started")
        return self._base_url

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.base_url}/file/bot"

    # -- acting as a user ------------------------------------------------------------

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Ann",
        language_code: str | None = "en",
        username: str | None = None,
    ) -> JsonDict:
        """The user types `text`; a leading /command gets its bot_command entity.

        Writing to the bot also lifts a block, as the Telegram client's "Restart" does.
        """
        user = self.world.upsert_user(
            user_id, first_name=first_name, language_code=language_code, username=username
        )
        user.blocked = False
        return self._user_message(user, text=text, entities=user_text_entities(text))

    async def send_photo(
        self, user_id: int, data: bytes, *, caption: str | None = None
    ) -> JsonDict:
        """The user sends a photo; the bytes are kept so getFile and the download work."""
        stored = self.world.add_file(
            data, folder="photos", extension="jpg", mime_type="image/jpeg"
        )
        return self._user_message(self._user(user_id), photo=photo_sizes(stored), caption=caption)

    async def send_forward(
        self, user_id: int, text: str, *, origin_name: str = "Supplier"
    ) -> JsonDict:
        """The user forwards a message from someone who hides their account."""
        origin = {
            "type": "hidden_user",
            "sender_user_name": origin_name,
            "date": self.world.now_unix() - 60,
        }
        return self._user_message(
            self._user(user_id),
            text=text,
            entities=user_text_entities(text),
            extra={"forward_origin": origin},
        )

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        *,
        file_name: str = "file.bin",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> JsonDict:
        """The user sends a file (uncompressed); the bytes are kept for getFile."""
        extension = file_name.rpartition(".")[2] if "." in file_name else "bin"
        stored = self.world.add_file(
            data, folder="documents", extension=extension, mime_type=mime_type, file_name=file_name
        )
        return self._user_message(
            self._user(user_id), document=document_info(stored), caption=caption
        )

    async def edit_text(self, user_id: int, message_id: int, text: str) -> JsonDict:
        """The user edits a text message they sent: the bot gets an `edited_message`.

        Raises LookupError unless `message_id` is a live text message of this user."""
        chat = self.world.chats.get(user_id)
        message = chat.live_message(message_id) if chat is not None else None
        if chat is None or message is None or message.from_bot or message.text is None:
            raise LookupError(f"no text message {message_id} of user {user_id}")
        message.text, message.entities = text, user_text_entities(text)
        message.edited, message.edit_date = True, self.world.now_unix()
        self._touch()
        return self.queue.push({"edited_message": chat.render(message)})

    async def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str | None = None,
        *,
        button_index: int | None = None,
        forged: bool = False,
    ) -> JsonDict:
        """The user taps an inline button of a bot message, chosen by data or flat index.

        Raises LookupError when the message or button does not exist, unless `forged`, in
        which case `callback_data` is sent as given (a stale or hand-made button press).
        """
        chat = self.world.chats.get(user_id)
        message = chat.live_message(message_id) if chat is not None else None
        if not forged:
            callback_data = _pressed_button_data(message, message_id, callback_data, button_index)
        user = self._user(user_id)
        chat = self.world.private_chat(user)
        query_id = str(next(self._query_ids))
        self.world.callback_queries[query_id] = CallbackQueryRecord(
            id=query_id, user_id=user_id, created=time.monotonic()
        )
        query: JsonDict = {
            "id": query_id,
            "from": user.to_api(),
            "message": _callback_message(chat, message, message_id),
            "chat_instance": str(user_id * 7919 + 104729),
        }
        if callback_data is not None:
            query["data"] = callback_data
        return self.queue.push({"callback_query": query})

    # -- groups and channels ------------------------------------------------------------

    def add_group(self, chat_id: int, title: str = "Buyers", *, kind: str = "group") -> JsonDict:
        """A group ("group" or "supergroup") or a channel ("channel") the bot is in."""
        return self.world.group(chat_id, title=title, kind=kind).to_api()

    async def send_group_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        sender_chat_id: int | None = None,
        automatic_forward: bool = False,
    ) -> JsonDict:
        """Someone writes in a group: a member (`user_id`), or on behalf of a chat
        (`sender_chat_id`): the group itself for an anonymous admin, or a channel. Telegram
        then fills `from` with its placeholder bot and the real sender in `sender_chat`.
        `automatic_forward`: the channel's post, copied into its discussion group."""
        chat = self._group(chat_id)
        extra: JsonDict = {}
        if sender_chat_id is not None:
            sender_chat = self._group(sender_chat_id)
            sender = ANONYMOUS_ADMIN if sender_chat_id == chat_id else CHANNEL_SENDER
            extra["sender_chat"] = sender_chat.to_api()
            if automatic_forward:
                # A channel post copied into its discussion group: from "Telegram".
                sender = TELEGRAM_SENDER
                extra["is_automatic_forward"] = True
        elif user_id is not None:
            sender = self._user(user_id).to_api()
        else:
            raise ValueError("a group message needs user_id or sender_chat_id")
        message = self.world.add_message(
            chat,
            from_bot=False,
            sender=sender,
            text=text,
            entities=user_text_entities(text),
            extra=extra,
        )
        return self.queue.push({"message": _without_empty_sender(chat.render(message))})

    async def post_in_channel(self, channel_id: int, text: str) -> JsonDict:
        """A channel post: no `from` at all, the channel in `sender_chat`."""
        chat = self._group(channel_id)
        message = self.world.add_message(
            chat,
            from_bot=False,
            sender={},
            text=text,
            entities=user_text_entities(text),
            extra={"sender_chat": chat.to_api()},
        )
        return self.queue.push({"channel_post": _without_empty_sender(chat.render(message))})

    async def migrate_group(
        self, chat_id: int, new_chat_id: int, *, user_id: int
    ) -> list[JsonDict]:
        """The group becomes a supergroup with a new id, as Telegram does it: a service
        message in the old chat (`migrate_to_chat_id`) and one in the new chat
        (`migrate_from_chat_id`); sends to the old id are refused from then on."""
        old = self._group(chat_id)
        if old.type != "group":
            raise ValueError(f"only a basic group can migrate, not a {old.type}")
        new = self.world.group(new_chat_id, title=old.title or "Buyers", kind="supergroup")
        sender = self._user(user_id).to_api()
        left = self.world.add_message(
            old, from_bot=False, sender=sender, extra={"migrate_to_chat_id": new_chat_id}
        )
        first = self.queue.push({"message": old.render(left)})
        old.migrated_to = new_chat_id
        arrived = self.world.add_message(
            new, from_bot=False, sender=sender, extra={"migrate_from_chat_id": chat_id}
        )
        return [first, self.queue.push({"message": new.render(arrived)})]

    def make_anonymous_admin(self, chat_id: int, user_id: int) -> None:
        """The member becomes an admin who writes as the group. Their button presses still
        come from their own account, as Telegram's do."""
        self._user(user_id)
        self._group(chat_id).anonymous_admins.add(user_id)

    async def press_group_button(
        self, chat_id: int, user_id: int, message_id: int, callback_data: str
    ) -> JsonDict:
        """A member taps an inline button of a bot message in a group."""
        chat = self._group(chat_id)
        message = chat.live_message(message_id)
        data = _pressed_button_data(message, message_id, callback_data, None)
        user = self._user(user_id)
        query_id = str(next(self._query_ids))
        self.world.callback_queries[query_id] = CallbackQueryRecord(
            id=query_id, user_id=user_id, created=time.monotonic()
        )
        query: JsonDict = {
            "id": query_id,
            "from": user.to_api(),
            "message": _callback_message(chat, message, message_id),
            "chat_instance": str(abs(chat_id) * 7919 + 104729),
            "data": data,
        }
        return self.queue.push({"callback_query": query})

    def remove_bot_from_group(self, chat_id: int) -> None:
        """An admin removes the bot from the group: sends to it answer 403 from now on."""
        self._group(chat_id).bot_removed = True

    def _group(self, chat_id: int) -> SandboxChat:
        chat = self.world.chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise LookupError(f"no group or channel {chat_id}; add_group first")
        return chat

    def redeliver(self, update: JsonDict) -> None:
        """Deliver an update (as returned by `send_text`, `press_button`…) once more, with
        the same update_id: Telegram's at-least-once delivery, on demand."""
        self.queue.redeliver(update)

    def block(self, user_id: int) -> None:
        self._user(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        self._user(user_id).blocked = False

    def _user(self, user_id: int) -> SandboxUser:
        user = self.world.users.get(user_id)
        if user is None:
            user = self.world.upsert_user(
                user_id, first_name="Ann", language_code="en", username=None
            )
        return user

    def _user_message(self, user: SandboxUser, **content: Any) -> JsonDict:
        chat = self.world.private_chat(user)
        message = self.world.add_message(chat, from_bot=False, sender=user.to_api(), **content)
        return self.queue.push({"message": chat.render(message)})

    # -- faults ----------------------------------------------------------------------

    def inject_fault(
        self,
        method: str | None,
        status: int,
        *,
        count: int = 1,
        retry_after: int | None = None,
        delay: float = 0.0,
        description: str | None = None,
    ) -> None:
        """Fail the next `count` calls of `method` (None: any method) with `status`.

        `delay` seconds pass before the answer (to provoke client timeouts); a status
        below 300 only delays and then handles the call normally.
        """
        self._faults.append(
            Fault(
                method=method.lower() if method else None,
                status=status,
                remaining=count,
                retry_after=retry_after,
                delay=delay,
                description=description,
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # -- reading what happened -------------------------------------------------------

    def messages(self, chat_id: int) -> list[StoredMessage]:
        """Current messages of the chat (bot and user), oldest first, deleted ones left out."""
        chat = self.world.chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if not m.deleted]

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot]

    def callback_answer(self, query_id: str) -> JsonDict | None:
        """What the bot answered to a button press (None while unanswered)."""
        record = self.world.callback_queries.get(query_id)
        return None if record is None else record.answer

    @property
    def event_seq(self) -> int:
        """Number of the latest bot message event; pass as `after` to avoid races."""
        return self.world.event_seq

    async def wait_for(self, probe: Callable[[], _T | None], *, timeout: float = 10.0) -> _T:
        """Re-evaluate `probe` whenever the sandbox changes; return its first truthy value."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"sandbox condition not met within {timeout} s")
            await self._signal.wait(remaining)

    async def wait_for_bot_message(
        self, chat_id: int, *, timeout: float = 10.0, after: int | None = None
    ) -> StoredMessage:
        """The next bot message (or edit) in the chat after event `after` (default: now)."""
        start = self.world.event_seq if after is None else after
        return await self.wait_for(
            lambda: self.world.next_bot_event(chat_id, start), timeout=timeout
        )

    async def wait_until_settled(self, *, quiet: float = 0.0, timeout: float = 15.0) -> None:
        """Return once the bot has handled every update sent to it, no bot request is
        running, no retry the bot was told to make (429 retry_after) is still pending and
        no "typing…" it announced is still showing; raise TimeoutError otherwise.

        "Handled" is what Telegram itself learns: the update was confirmed by a later
        getUpdates offset, or the webhook answered it with 2xx. A bot that confirms only
        after handling (ours: bot/runtime/polling.py, bot/runtime/webhook.py) is then truly
        done, with no waiting on the clock. A bot that confirms on receipt (PTB's Updater
        queues first, handles later) needs `quiet`: seconds in which nothing happened.
        Work a bot does on its own after an update (a reminder, an alert) is not an
        update: wait for the message it sends."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            quiet_from = max(self._last_activity, self._retry_expected_until, self._typing_until)
            quiet_left = None if self._busy() else quiet_from + quiet - now
            if quiet_left is not None and quiet_left <= 0:
                return
            remaining = deadline - now
            if remaining <= 0:
                raise TimeoutError(f"sandbox not settled within {timeout} s: {self._status()}")
            await self._signal.wait(
                remaining if quiet_left is None else min(remaining, quiet_left)
            )

    def _busy(self) -> bool:
        return self._in_flight > 0 or self.queue.pending_count > 0 or self.webhooks.in_flight

    def _status(self) -> str:
        return (
            f"{self.queue.undelivered_count} update(s) not delivered, "
            f"{self.queue.pending_count} not confirmed, "
            f"{self._in_flight} request(s) in flight, "
            f"webhook delivery {'running' if self.webhooks.in_flight else 'idle'}"
        )

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._signal.notify()

    def _on_webhook_attempt(self, attempt: WebhookAttempt) -> None:
        self.webhook_attempts.append(attempt)
        self._touch()

    # -- HTTP: Bot API and files -----------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._serve_file(path.removeprefix("/file/bot"))
        if path.startswith("/bot"):
            return await self._serve_api(request, path.removeprefix("/bot"))
        return error_response(not_found())

    def _serve_file(self, rest: str) -> web.StreamResponse:
        token, _, file_path = rest.partition("/")
        if not is_well_formed_token(token):
            return error_response(invalid_token())
        stored = self.world.file_by_path(file_path)
        if stored is None or stored.data is None:
            return error_response(not_found())
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    async def _serve_api(self, request: web.Request, rest: str) -> web.StreamResponse:
        token, _, method = rest.partition("/")
        if not is_well_formed_token(token):
            return error_response(invalid_token())
        bot = BotIdentity(id=int(token.split(":", 1)[0]), username=self.bot_username)
        # An idle long poll is not "work in flight"; wait_until_settled must not wait for it.
        polling = method.lower() == "getupdates"
        if not polling:
            self._in_flight += 1
        try:
            return await self._answer(request, bot, method)
        finally:
            if not polling:
                self._in_flight -= 1
                self._touch()

    async def _answer(
        self, request: web.Request, bot: BotIdentity, method: str
    ) -> web.StreamResponse:
        started, clock = self.world.clock.now().timestamp(), time.monotonic()
        name, params = method, {}
        try:
            if not method or "/" in method:
                raise not_found()
            raw, uploads = await read_parameters(request)
            params = raw
            await self._apply_fault(method)
            name, params = validate_call(method, raw)
            outcome = await self.api.call(name, Call(bot=bot, params=params, uploads=uploads))
        except ApiError as error:
            self._record(name, params, started, clock, error=error)
            self._expect_retry(error)
            return error_response(error)
        except ConnectionResetError:
            # The bot hung up mid-request (a stopped bot, a cancelled long poll): nobody
            # to answer, and not the sandbox's failure; aiohttp drops it quietly.
            raise
        except Exception:
            log.exception("sandbox: %s for bot %s failed", name, bot.id)
            internal = ApiError(500, "Internal Server Error")
            self._record(name, params, started, clock, error=internal)
            return error_response(internal)
        answer = outcome if isinstance(outcome, Answer) else Answer(outcome)
        self._note_typing(name)
        self._record(name, params, started, clock, result=answer.result)
        return ok_response(answer)

    def _note_typing(self, method: str) -> None:
        if method == "sendChatAction":
            self._typing_until = time.monotonic() + TYPING_SECONDS
        elif method.startswith(("send", "edit", "copy", "forward")):
            self._typing_until = 0.0

    def _expect_retry(self, error: ApiError) -> None:
        retry_after = (error.parameters or {}).get("retry_after")
        if error.error_code == 429 and isinstance(retry_after, int):
            until = time.monotonic() + retry_after
            self._retry_expected_until = max(self._retry_expected_until, until)

    async def _apply_fault(self, method: str) -> None:
        fault = self._take_fault(method)
        if fault is None:
            return
        if fault.delay > 0:
            await asyncio.sleep(fault.delay)
        error = fault.error()
        if error is not None:
            raise error

    def _record(
        self,
        method: str,
        params: JsonDict,
        started: float,
        clock: float,
        *,
        error: ApiError | None = None,
        result: Any = None,
    ) -> None:
        self.calls.append(
            RecordedCall(
                method=method,
                params=dict(params),
                ok=error is None,
                error_code=None if error is None else error.error_code,
                description=None if error is None else error.description,
                time=started,
                duration=time.monotonic() - clock,
                result=result,
            )
        )
        if method == "getUpdates" and error is None and result:
            self._touch()
        else:
            self._signal.notify()


async def read_parameters(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Query string plus body (form, multipart or JSON); file parts become UploadedFile."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, UploadedFile] = {}
    if not request.can_read_body:
        return values, uploads
    try:
        if request.content_type == "application/json":
            values.update(_json_object(await request.read()))
        elif request.content_type in _FORM_TYPES:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    upload = UploadedFile(
                        filename=value.filename,
                        content_type=value.content_type,
                        data=value.file.read(),
                    )
                    uploads[key] = upload
                    values[key] = upload
                else:
                    values[key] = value
    except web.HTTPRequestEntityTooLarge as exc:
        raise ApiError(413, "Request Entity Too Large") from exc
    return values, uploads


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        decoded = json.loads(body)
    except ValueError as exc:
        raise bad_request("can't parse JSON object") from exc
    if not isinstance(decoded, dict):
        raise bad_request("can't parse JSON object")
    return decoded


def ok_response(answer: Answer) -> web.Response:
    body: JsonDict = {"ok": True, "result": answer.result}
    if answer.description:
        body["description"] = answer.description
    return _json_response(body, 200)


def error_response(error: ApiError) -> web.Response:
    headers = {}
    retry_after = (error.parameters or {}).get("retry_after")
    if error.error_code == 429 and retry_after:
        headers["Retry-After"] = str(retry_after)
    return _json_response(error.envelope(), error.error_code, headers)


def _json_response(
    body: JsonDict, status: int, headers: dict[str, str] | None = None
) -> web.Response:
    # bytes + explicit content type: exactly "application/json", as Telegram sends it.
    data = json.dumps(body, ensure_ascii=False).encode()
    return web.Response(body=data, status=status, headers=headers, content_type="application/json")


# What Telegram puts in `from` of a message sent on behalf of a chat.
ANONYMOUS_ADMIN: JsonDict = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
TELEGRAM_SENDER: JsonDict = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
CHANNEL_SENDER: JsonDict = {
    "id": 136817688,
    "is_bot": True,
    "first_name": "Channel",
    "username": "Channel_Bot",
}


def _without_empty_sender(message: JsonDict) -> JsonDict:
    # Channel posts have no `from`.
    return {key: value for key, value in message.items() if not (key == "from" and not value)}


def _pressed_button_data(
    message: StoredMessage | None,
    message_id: int,
    callback_data: str | None,
    button_index: int | None,
) -> str:
    """The callback_data of the button a user can really press, or LookupError."""
    if message is None or not message.from_bot:
        raise LookupError(f"no bot message {message_id} in this chat")
    buttons = message.inline_buttons()
    if button_index is not None:
        if not 0 <= button_index < len(buttons):
            raise LookupError(f"message {message_id} has no button #{button_index}")
        candidates = [buttons[button_index]]
    elif callback_data is not None:
        candidates = [b for b in buttons if b.get("callback_data") == callback_data]
    else:
        raise LookupError("give callback_data or button_index")
    button = candidates[0] if candidates else None
    data = None if button is None else button.get("callback_data")
    if data is None or (callback_data is not None and data != callback_data):
        raise LookupError(f"message {message_id} has no such callback button")
    return str(data)


def _callback_message(
    chat: SandboxChat, message: StoredMessage | None, message_id: int
) -> JsonDict:
    if message is None:
        # InaccessibleMessage: what Telegram sends for deleted or very old messages.
        return {"chat": chat.to_api(), "message_id": message_id, "date": 0}
    return chat.render(message)


async def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    *,
    bot_username: str = "SourcingGuardBot",
    flood: FloodLimits | None = None,
    out: TextIO | None = None,
) -> None:
    """Run a sandbox until cancelled (Ctrl-C), after printing how to point PTB at it."""
    stream = out or sys.stdout
    sandbox = Sandbox(bot_username=bot_username, flood=flood)
    await sandbox.start(host, port)
    try:
        for line in _how_to_connect(sandbox):
            print(line, file=stream)
        stream.flush()
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def _how_to_connect(sandbox: Sandbox) -> list[str]:
    return [
        f"Sandbox Telegram Bot API listening on {sandbox.base_url}",
        "Point python-telegram-bot at it (any token of the form 123456:ABC works):",
        f'  ApplicationBuilder().token("123456:SANDBOX").base_url("{sandbox.api_base_url}")'
        f'.base_file_url("{sandbox.file_base_url}")',
        f"  or run the bot with TELEGRAM_API_BASE_URL={sandbox.base_url}",
        f"Control API: {sandbox.base_url}/sandbox/ (see bot/sandbox/README.md). Ctrl-C stops.",
    ]
