"""The sandbox control API over HTTP (`/sandbox/...`), for processes other than the test.

Every answer is JSON: `{"ok": true, "result": ...}` or `{"ok": false, "description": ...}`
with status 400 (bad input), 404 (no such message/button) or 504 (wait timed out).
User actions also return `event_seq`, to pass as `after` to `/next` without races.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

from bot.sandbox.state import JsonDict, RecordedCall, StoredMessage
from bot.sandbox.validation import UploadedFile


class Sandbox(Protocol):
    """What the control API drives: the sandbox (bot/sandbox/server.py), named by what it
    does so this module does not import the server that mounts it."""

    bot_username: str
    calls: list[RecordedCall]

    @property
    def base_url(self) -> str: ...
    @property
    def api_base_url(self) -> str: ...
    @property
    def file_base_url(self) -> str: ...
    @property
    def event_seq(self) -> int: ...
    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = ...,
        language_code: str | None = ...,
        username: str | None = ...,
    ) -> JsonDict: ...
    async def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str | None = ...,
        *,
        button_index: int | None = ...,
        forged: bool = ...,
    ) -> JsonDict: ...
    async def send_photo(
        self, user_id: int, data: bytes, *, caption: str | None = ...
    ) -> JsonDict: ...
    async def send_forward(
        self, user_id: int, text: str, *, origin_name: str = ...
    ) -> JsonDict: ...
    def block(self, user_id: int) -> None: ...
    def unblock(self, user_id: int) -> None: ...
    def inject_fault(
        self,
        method: str | None,
        status: int,
        *,
        count: int = ...,
        retry_after: int | None = ...,
        delay: float = ...,
        description: str | None = ...,
    ) -> None: ...
    def clear_faults(self) -> None: ...
    def bot_messages(self, chat_id: int) -> list[StoredMessage]: ...
    def messages(self, chat_id: int) -> list[StoredMessage]: ...
    async def wait_for_bot_message(
        self, chat_id: int, *, timeout: float = ..., after: int | None = ...
    ) -> StoredMessage: ...
    async def wait_until_settled(self, *, quiet: float = ..., timeout: float = ...) -> None: ...


ControlHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ControlError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def add_control_routes(app: web.Application, sandbox: Sandbox) -> None:
    routes = ControlRoutes(sandbox)
    post, get = app.router.add_post, app.router.add_get
    post("/sandbox/users/{user_id}/text", _guarded(routes.text))
    post("/sandbox/users/{user_id}/press", _guarded(routes.press))
    post("/sandbox/users/{user_id}/photo", _guarded(routes.photo))
    post("/sandbox/users/{user_id}/forward", _guarded(routes.forward))
    post("/sandbox/users/{user_id}/block", _guarded(routes.block))
    post("/sandbox/users/{user_id}/unblock", _guarded(routes.unblock))
    post("/sandbox/faults", _guarded(routes.add_fault))
    app.router.add_delete("/sandbox/faults", _guarded(routes.clear_faults))
    get("/sandbox/chats/{chat_id}/messages", _guarded(routes.chat_messages))
    get("/sandbox/chats/{chat_id}/next", _guarded(routes.next_bot_message))
    get("/sandbox/calls", _guarded(routes.calls))
    get("/sandbox/settled", _guarded(routes.settled))
    get("/sandbox/info", _guarded(routes.info))


def _guarded(handler: ControlHandler) -> ControlHandler:
    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as error:
            return _reply({"ok": False, "description": error.description}, error.status)

    return run


class ControlRoutes:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    # -- users -----------------------------------------------------------------------

    async def text(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        update = await self.sandbox.send_text(
            _path_int(request, "user_id"),
            _required_str(body, "text"),
            first_name=str(body.get("first_name") or "Ann"),
            language_code=body.get("language_code", "en"),
            username=body.get("username"),
        )
        return self._user_action(update)

    async def press(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        index = body.get("button_index")
        try:
            update = await self.sandbox.press_button(
                _path_int(request, "user_id"),
                _int_field(body, "message_id"),
                body.get("callback_data"),
                button_index=None if index is None else int(index),
                forged=bool(body.get("forged", False)),
            )
        except LookupError as exc:
            raise ControlError(404, str(exc)) from exc
        return self._user_action(update)

    async def photo(self, request: web.Request) -> web.StreamResponse:
        """Raw image bytes (caption in the query), or JSON {"data_base64", "caption"}."""
        if request.content_type == "application/json":
            body = await _json_body(request)
            try:
                data = base64.b64decode(_required_str(body, "data_base64"), validate=True)
            except binascii.Error as exc:
                raise ControlError(400, "data_base64 is not valid base64") from exc
            caption = body.get("caption")
        else:
            data = await request.read()
            caption = request.query.get("caption")
        if not data:
            raise ControlError(400, "no image data")
        update = await self.sandbox.send_photo(
            _path_int(request, "user_id"), data, caption=caption
        )
        return self._user_action(update)

    async def forward(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        update = await self.sandbox.send_forward(
            _path_int(request, "user_id"),
            _required_str(body, "text"),
            origin_name=str(body.get("origin_name") or "Supplier"),
        )
        return self._user_action(update)

    async def block(self, request: web.Request) -> web.StreamResponse:
        self.sandbox.block(_path_int(request, "user_id"))
        return _reply({"ok": True, "result": True})

    async def unblock(self, request: web.Request) -> web.StreamResponse:
        self.sandbox.unblock(_path_int(request, "user_id"))
        return _reply({"ok": True, "result": True})

    def _user_action(self, update: dict[str, Any]) -> web.StreamResponse:
        return _reply({"ok": True, "result": update, "event_seq": self.sandbox.event_seq})

    # -- faults ----------------------------------------------------------------------

    async def add_fault(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        retry_after = body.get("retry_after")
        self.sandbox.inject_fault(
            body.get("method"),
            _int_field(body, "status"),
            count=int(body.get("count", 1)),
            retry_after=None if retry_after is None else int(retry_after),
            delay=float(body.get("delay", 0.0)),
            description=body.get("description"),
        )
        return _reply({"ok": True, "result": True})

    async def clear_faults(self, request: web.Request) -> web.StreamResponse:
        self.sandbox.clear_faults()
        return _reply({"ok": True, "result": True})

    # -- reading ---------------------------------------------------------------------

    async def chat_messages(self, request: web.Request) -> web.StreamResponse:
        chat_id = _path_int(request, "chat_id")
        bot_only = request.query.get("bot_only", "") in ("1", "true", "yes")
        found = self.sandbox.bot_messages(chat_id) if bot_only else self.sandbox.messages(chat_id)
        return _reply({"ok": True, "result": [m.to_json() for m in found]})

    async def next_bot_message(self, request: web.Request) -> web.StreamResponse:
        after = request.query.get("after")
        try:
            message = await self.sandbox.wait_for_bot_message(
                _path_int(request, "chat_id"),
                timeout=_query_float(request, "timeout", 10.0),
                after=None if after is None else int(after),
            )
        except TimeoutError as exc:
            raise ControlError(504, str(exc)) from exc
        except ValueError as exc:
            raise ControlError(400, "after must be an integer") from exc
        return _reply({"ok": True, "result": message.to_json()})

    async def calls(self, request: web.Request) -> web.StreamResponse:
        method = request.query.get("method")
        since = int(_query_float(request, "since", 0))
        selected = [
            _call_json(index, call)
            for index, call in enumerate(self.sandbox.calls)
            if index >= since and (method is None or call.method.lower() == method.lower())
        ]
        return _reply({"ok": True, "result": selected})

    async def settled(self, request: web.Request) -> web.StreamResponse:
        try:
            await self.sandbox.wait_until_settled(
                # Any bot may be on the other end, also one that confirms updates before
                # handling them: a little quiet by default, `quiet=0` for exact bots.
                quiet=_query_float(request, "quiet", 0.3),
                timeout=_query_float(request, "timeout", 15.0),
            )
        except TimeoutError as exc:
            raise ControlError(504, str(exc)) from exc
        return _reply({"ok": True, "result": True})

    async def info(self, request: web.Request) -> web.StreamResponse:
        sandbox = self.sandbox
        result = {
            "base_url": sandbox.base_url,
            "api_base_url": sandbox.api_base_url,
            "file_base_url": sandbox.file_base_url,
            "bot_username": sandbox.bot_username,
            "event_seq": sandbox.event_seq,
        }
        return _reply({"ok": True, "result": result})


async def _json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ControlError(400, "the body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def _path_int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError as exc:
        raise ControlError(400, f"{name} must be an integer") from exc


def _int_field(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ControlError(400, f"{name} (integer) is required")
    try:
        return int(value)
    except ValueError as exc:
        raise ControlError(400, f"{name} must be an integer") from exc


def _required_str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise ControlError(400, f"{name} (string) is required")
    return value


def _query_float(request: web.Request, name: str, default: float) -> float:
    try:
        return float(request.query.get(name, default))
    except ValueError as exc:
        raise ControlError(400, f"{name} must be a number") from exc


def _call_json(index: int, call: RecordedCall) -> dict[str, Any]:
    # Not dataclasses.asdict: it would deep-copy uploaded files into nested dicts.
    fields = {f.name: getattr(call, f.name) for f in dataclasses.fields(call)}
    return {"index": index, **fields}


def _encode_extra(value: object) -> object:
    if isinstance(value, UploadedFile):
        return {
            "filename": value.filename,
            "content_type": value.content_type,
            "size": len(value.data),
        }
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot encode {type(value).__name__}")


def _reply(body: dict[str, Any], status: int = 200) -> web.Response:
    text = json.dumps(body, ensure_ascii=False, default=_encode_extra)
    return web.Response(text=text, status=status, content_type="application/json")
