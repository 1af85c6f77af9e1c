"""A local OpenAI-compatible HTTP server for the tests: the real openai client talks to it.

It serves `POST /v1/chat/completions` in the OpenAI wire format and records every request.
What the "model" says is scripted by each test: `server.answer(function)` gets the parsed
request and returns one of the replies below (JSON content, an HTTP error, a delay,
malformed content). Nothing here knows the bot's prompts; tests read the request the bot
sent and decide, which is how they check the request's shape.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.config import Settings


@dataclass(frozen=True)
class ModelRequest:
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def system(self) -> str:
        return str(self.body["messages"][0]["content"])

    @property
    def user(self) -> str:
        return str(self.body["messages"][-1]["content"])

    @property
    def schema_name(self) -> str:
        return str(self.body["response_format"]["json_schema"]["name"])


@dataclass(frozen=True)
class Content:
    """A 200 answer whose message content is `text` (JSON or not)."""

    text: str
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Failure:
    status: int
    retry_after: float | None = None


@dataclass(frozen=True)
class Slow:
    """Answer `then` after `seconds`: longer than the bot's timeout means no answer."""

    seconds: float
    then: Content


@dataclass(frozen=True)
class Raw:
    """An answer with exactly this body and status, whatever its shape: HTML with a 200, a
    completion whose `choices` is a string, `message: null`... (see `odd_completion`)."""

    body: str
    status: int = 200
    content_type: str = "application/json"


Reply = Content | Failure | Slow | Raw


def completion_body(content: str | None = "{}", **changes: object) -> dict[str, Any]:
    """A well-formed completion body with `content`, then `changes` applied: a key with the
    value `MISSING` is removed, `choice_<key>` and `message_<key>` change the first choice
    and its message, anything else replaces a top-level field."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": "stop"}
    body: dict[str, Any] = {
        "id": "chatcmpl-odd",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": "test-model",
        "choices": [choice],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
    for key, value in changes.items():
        target, name = body, key
        if key.startswith("choice_"):
            target, name = choice, key.removeprefix("choice_")
        elif key.startswith("message_"):
            target, name = message, key.removeprefix("message_")
        if value is MISSING:
            target.pop(name, None)
        else:
            target[name] = value
    return body


MISSING = object()


def odd_completion(content: str | None = "{}", **changes: object) -> Raw:
    return Raw(json.dumps(completion_body(content, **changes), ensure_ascii=False))


def as_json(value: object) -> Content:
    return Content(json.dumps(value, ensure_ascii=False))


Script = Callable[[ModelRequest], Reply]


def _unscripted(request: ModelRequest) -> Reply:
    return Failure(500)


@dataclass
class FakeModelServer:
    script: Script = _unscripted
    requests: list[ModelRequest] = field(default_factory=list)
    base_url: str = ""
    in_flight: int = 0
    most_in_flight: int = 0
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def answer(self, script: Script) -> None:
        self.script = script

    def answer_in_turn(self, *replies: Reply) -> None:
        """One reply per request, in order; the last one repeats."""
        queue = list(replies)

        def next_reply(request: ModelRequest) -> Reply:
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.script = next_reply

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        seen = ModelRequest(body, dict(request.headers))
        self.requests.append(seen)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            reply = self.script(seen)
            if isinstance(reply, Slow):
                await asyncio.sleep(reply.seconds)
                reply = reply.then
            if isinstance(reply, Raw):
                return web.Response(
                    text=reply.body, status=reply.status, content_type=reply.content_type
                )
            if isinstance(reply, Failure):
                headers = {}
                if reply.retry_after is not None:
                    headers["Retry-After"] = str(reply.retry_after)
                error = {"error": {"message": "scripted failure", "type": "server_error"}}
                return web.json_response(error, status=reply.status, headers=headers)
            return web.json_response(self._completion(body, reply))
        finally:
            self.in_flight -= 1

    def _completion(self, body: dict[str, Any], content: Content) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": 1_764_000_000,
            "model": body.get("model", "test-model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content.text, "refusal": None},
                    "finish_reason": content.finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }


@asynccontextmanager
async def fake_model_server() -> AsyncIterator[FakeModelServer]:
    server = FakeModelServer()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", server._completions)
    # A scripted slow answer must not hold the test up at shutdown.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield server
    finally:
        await runner.cleanup()


def with_model(settings: Settings, server: FakeModelServer, **overrides: object) -> Settings:
    """`settings` with the language model pointed at `server`; short waits for tests.

    Use in an e2e test module to turn the model on for the `bot` fixture:

        @pytest.fixture
        def settings(settings: Settings, model_server: FakeModelServer) -> Settings:
            return with_model(settings, model_server)
    """
    values: dict[str, object] = {
        "openai_api_key": SecretStr("sk-test-key-for-the-local-server"),
        "openai_base_url": server.base_url,
        "openai_model": "local-test-model",
        "openai_timeout_seconds": 3.0,
        "openai_max_retries": 1,
    }
    values.update(overrides)
    return settings.model_copy(update=values)
