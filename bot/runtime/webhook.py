"""Webhook mode: a small aiohttp server that hands Telegram's POSTs to the Application.

PTB's own `run_webhook` brings a tornado server that owns the event loop and has no health
endpoint. This follows PTB's "custom webhook" pattern instead: the server runs inside any
event loop (tests run it next to the sandbox), checks the secret header in constant time,
and serves `GET /healthz` for the operator's monitoring.

Each update is handled before the request is answered, unlike PTB's webhook, which answers
200 once the update is queued. Telegram re-sends an update whose request failed or was not
answered with 2xx, so a process killed half-way through an update has the update handled
again (by this or another instance), rather than lost with the queue (bot/runtime/delivery.py).
The cost: a slow update (the AI helper waits up to OPENAI_TIMEOUT_SECONDS per attempt)
keeps its request open. Telegram waits long for an answer and posts other updates over
other connections meanwhile (up to max_connections, 40 by default), so only that user's
next messages wait, as they would for their turn anyway. Answers:

- 200: handled, or a copy of an update handled before;
- 503: not handled now and worth re-sending: stopping, another instance is handling this
  very update (if it dies, the copy is handled once its claim's lease is over), or the
  database could not record the update;
- 4xx: refused by the guard in front of the routes or by the update's checks (wrong secret,
  path or content type, a body too large, too slow or not an update: webhook_guard.py), and
  counted in a log line per minute rather than logged one by one.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import resource
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.error import BadRequest

from bot.config import Settings
from bot.context import BotApplication
from bot.runtime.delivery import Outcome
from bot.runtime.following import receive_push
from bot.runtime.lifecycle import ALLOWED_UPDATES, shut_down_application, stop_application
from bot.runtime.persistence import durable
from bot.runtime.signals import StopSignals
from bot.runtime.webhook_guard import (
    BAD_SECRET,
    MALFORMED,
    SLOW_BODY,
    TOO_LARGE,
    WRONG_PATH,
    CappedSite,
    MalformedUpdateError,
    RefusalLog,
    update_json,
)
from bot.services.following import PUSH_PATH

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
# Telegram's updates are a few kilobytes (a message is at most 4096 characters, plus the one
# it replies to); a megabyte leaves room for any real update and stops memory-filling posts.
MAX_UPDATE_BYTES = 1024 * 1024
# Used when no settings say otherwise (tests building the app alone).
DEFAULT_BODY_TIMEOUT = 10.0
# Descriptors kept free of webhook connections: the database pool, the log, outgoing HTTP.
FILE_DESCRIPTOR_RESERVE = 64
# A monitoring probe must answer quickly even when the database hangs rather than refuses.
HEALTH_DATABASE_TIMEOUT = 3.0
# Telegram's rule for secret_token; checked here so a typo fails with a clear message.
_SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")

MISSING_SECRET = (
    "Webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET: without a secret anyone who "
    "finds the URL could send the bot fake updates."
)


class WebhookSetupError(RuntimeError):
    """The webhook cannot start: bad settings, a busy port, or Telegram refused the URL."""


@dataclass(frozen=True)
class WebhookServer:
    """Where the running webhook server listens (the port is the bound one)."""

    listen: str
    port: int
    path: str

    @property
    def local_url(self) -> str:
        host = f"[{self.listen}]" if ":" in self.listen else self.listen
        return f"http://{host}:{self.port}"


def webhook_settings_problem(settings: Settings) -> str | None:
    """Why these settings cannot run a webhook, or None when they can."""
    if not (settings.webhook_url and settings.webhook_secret):
        return MISSING_SECRET
    if not _SECRET_FORMAT.fullmatch(settings.webhook_secret.get_secret_value()):
        return (
            "WEBHOOK_SECRET must be 1-256 characters, only A-Z a-z 0-9 _ and - "
            "(Telegram's rule for the secret token)."
        )
    if webhook_path(settings.webhook_url) == HEALTH_PATH:
        return f"WEBHOOK_URL must not end in {HEALTH_PATH}: that path is the health check."
    if webhook_path(settings.webhook_url) == PUSH_PATH:
        return f"WEBHOOK_URL must not end in {PUSH_PATH}: that path takes Kuaidi100's pushes."
    return None


def webhook_path(url: str) -> str:
    """The local path updates are posted to: the path of the public WEBHOOK_URL."""
    return urlsplit(url).path or "/"


# -- requests --------------------------------------------------------------------------


class _Endpoints:
    """The routes and the guard before them; they only read the application."""

    def __init__(
        self,
        application: BotApplication,
        *,
        secret: str,
        path: str,
        body_timeout: float,
        refusals: RefusalLog,
    ) -> None:
        self._application = durable(application)
        self._secret = secret.encode()
        self._path = path
        self._body_timeout = body_timeout
        self._refusals = refusals

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse what no route should see, before a handler or a body read is spent on it:
        unknown paths, a missing secret, an oversized or too slowly sent body."""
        refuse = self._refusals.refused
        wrong_route = request.match_info.http_exception
        if wrong_route is not None:
            refuse(WRONG_PATH, request.remote)
            raise wrong_route
        if request.path == self._path and not self._has_secret(request):
            refuse(BAD_SECRET, request.remote)
            return web.Response(status=403, text="forbidden")
        if request.body_exists:
            if request.content_length is not None and request.content_length > MAX_UPDATE_BYTES:
                refuse(TOO_LARGE, request.remote)
                return web.Response(status=413, text="update too large")
            try:
                # Read here, in time, so handlers get it whole; read() keeps it for them.
                async with asyncio.timeout(self._body_timeout):
                    await request.read()
            except TimeoutError:
                refuse(SLOW_BODY, request.remote)
                return await _answer_and_hang_up(request, 408, "body not sent in time")
            except web.HTTPRequestEntityTooLarge:
                # A body without a declared length that grew past client_max_size.
                refuse(TOO_LARGE, request.remote)
                raise
        return await handler(request)

    def _has_secret(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        # The secret is ASCII, so a header whose odd characters get replaced never matches.
        return hmac.compare_digest(given.encode("utf-8", "replace"), self._secret)

    async def receive_update(self, request: web.Request) -> web.Response:
        # The guard has checked the secret and read the body.
        if not self._application.running:
            # Shutting down: Telegram keeps the update and delivers it again later.
            return web.Response(status=503, text="stopping")
        if request.content_type != "application/json":
            self._refusals.refused(MALFORMED, request.remote, "not application/json")
            return web.Response(status=415, text="expected application/json")
        body = await request.read()
        try:
            update = self._parse(body)
        except MalformedUpdateError as problem:
            # 400, not 5xx: the body is at fault, and sending it again cannot help.
            self._refusals.refused(MALFORMED, request.remote, str(problem))
            return web.Response(status=400, text="not a Telegram update")
        # As in PTB's own webhook; a no-op unless arbitrary callback data is switched on.
        self._application.bot.insert_callback_data(update)
        # Handled before answering (module docstring); a user's updates one at a time in
        # arrival order, other users' alongside, as in polling.
        outcome = await self._application.deliver(update)
        if outcome is Outcome.IN_PROGRESS:
            return web.Response(status=503, text="being handled elsewhere, send it again later")
        if outcome is Outcome.NOT_TAKEN:
            return web.Response(status=503, text="could not take the update, send it again")
        return web.Response(status=200)

    def _parse(self, body: bytes) -> Update:
        data = update_json(body)
        try:
            update = Update.de_json(data, self._application.bot)
        except Exception as error:
            # Counted with the other refusals: a flood of these must not be a flood of
            # tracebacks. The traceback is there at DEBUG for whoever investigates.
            log.debug("webhook: update %s could not be read", data["update_id"], exc_info=True)
            raise MalformedUpdateError(f"unreadable update ({type(error).__name__})") from error
        return update

    async def kuaidi100_push(self, request: web.Request) -> web.Response:
        return await receive_push(self._application, request)

    async def health(self, request: web.Request) -> web.Response:
        report = await check_health(self._application)
        status = 200 if report["status"] == "ok" else 503
        return web.json_response(report, status=status, headers={"Cache-Control": "no-store"})


async def check_health(application: BotApplication) -> dict[str, str]:
    """What /healthz reports: the database answers a query and the reminder engine runs."""
    database = await database_status(application.bot_data.engine)
    engine = application.bot_data.reminders
    reminders = "running" if engine is not None and engine.running else "stopped"
    healthy = database == "ok" and reminders == "running" and application.running
    return {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "reminders": reminders,
    }


async def database_status(engine: AsyncEngine) -> str:
    """'ok', 'unreachable' or 'timeout' after a SELECT 1."""
    try:
        async with asyncio.timeout(HEALTH_DATABASE_TIMEOUT):
            await _select_one(engine)
    except TimeoutError:
        log.warning("health: the database did not answer within %s s", HEALTH_DATABASE_TIMEOUT)
        return "timeout"
    except Exception as error:
        log.warning("health: the database is unreachable (%s)", type(error).__name__)
        return "unreachable"
    return "ok"


async def _select_one(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        # On the driver directly: every SQLAlchemy transaction on our SQLite engine starts
        # with BEGIN IMMEDIATE, and a probe must not queue behind writers for the lock.
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        if engine.dialect.name == "sqlite":
            # sqlite3's own connection, on the loop's thread (bot/db/sqlite_driver.py): a
            # read outside a transaction never waits in WAL mode.
            row = driver.execute("SELECT 1").fetchone()
            value = row[0] if row else None
        else:
            value = await driver.fetchval("SELECT 1")
    if value != 1:
        raise RuntimeError(f"SELECT 1 returned {value!r}")


async def _answer_and_hang_up(request: web.Request, status: int, text: str) -> web.Response:
    """Answer, then close the connection at once, rather than let aiohttp linger reading the
    rest of a body that a slow client may never finish."""
    response = web.Response(status=status, text=text)
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    request.protocol.force_close()
    return response


def create_web_app(
    application: BotApplication,
    *,
    secret: str,
    path: str,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    refusals: RefusalLog | None = None,
) -> web.Application:
    endpoints = _Endpoints(
        application,
        secret=secret,
        path=path,
        body_timeout=body_timeout,
        refusals=refusals or RefusalLog(log),
    )
    app = web.Application(client_max_size=MAX_UPDATE_BYTES, middlewares=[endpoints.guard])
    app.router.add_post(path, endpoints.receive_update)
    app.router.add_get(HEALTH_PATH, endpoints.health)
    if application.bot_data.following is not None:
        # Kuaidi100's pushes for the parcels we subscribed (bot/runtime/following.py).
        app.router.add_post(PUSH_PATH, endpoints.kuaidi100_push)
    return app


# -- lifecycle -------------------------------------------------------------------------


@asynccontextmanager
async def serving_webhook(
    application: BotApplication,
    settings: Settings,
    *,
    allowed_updates: Sequence[str] = ALLOWED_UPDATES,
) -> AsyncIterator[WebhookServer]:
    """Run the bot in webhook mode inside an existing event loop (the webhook twin of
    `bot.app.running`): hooks included, listening on WEBHOOK_LISTEN:WEBHOOK_PORT, the webhook
    registered with Telegram. Leaving stops taking requests first (the updates in hand
    finish), then stops the application and runs post_stop and post_shutdown.
    """
    problem = webhook_settings_problem(settings)
    if problem is not None:
        raise WebhookSetupError(problem)
    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    path = webhook_path(settings.webhook_url)
    async with AsyncExitStack() as stack:
        await application.initialize()
        stack.push_async_callback(shut_down_application, application)
        if application.post_init:
            await application.post_init(application)
        await application.start()
        stack.push_async_callback(stop_application, application)
        server = await _listen(stack, application, settings, secret=secret, path=path)
        try:
            # Not dropping pending updates: what users sent during a restart is answered.
            await application.bot.set_webhook(
                url=settings.webhook_url,
                secret_token=secret,
                allowed_updates=list(allowed_updates),
                drop_pending_updates=False,
            )
        except BadRequest as error:
            # A refused URL or secret needs the operator; network errors propagate instead,
            # so a supervisor restarts the bot once Telegram is reachable again.
            raise WebhookSetupError(f"Telegram refused the webhook: {error.message}") from error
        log.info("webhook: listening on %s%s", server.local_url, path)
        yield server


async def _listen(
    stack: AsyncExitStack,
    application: BotApplication,
    settings: Settings,
    *,
    secret: str,
    path: str,
) -> WebhookServer:
    refusals = RefusalLog(log)
    # Registered first, so it runs last: what was refused until the very end is reported.
    stack.callback(refusals.close)
    app = create_web_app(
        application,
        secret=secret,
        path=path,
        body_timeout=settings.webhook_body_timeout,
        refusals=refusals,
    )
    # The access log would be noise, and the reverse proxy keeps one already. A stop lets
    # requests in hand finish for a while (each is an update being handled), well within
    # systemd's 30 s; one still running then is cancelled, gives its claim back, and
    # Telegram, never told 200, sends it again. aiohttp's keep-alive timer closes a
    # connection still waiting for a complete request head when it fires, which makes it
    # the header deadline: from the connection's start, then from each answer on it.
    runner = web.AppRunner(
        app,
        access_log=None,
        shutdown_timeout=15.0,
        keepalive_timeout=settings.webhook_header_timeout,
    )
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = CappedSite(
        runner,
        settings.webhook_listen,
        settings.webhook_port,
        max_connections=settings.webhook_max_connections,
        refusals=refusals,
    )
    try:
        await site.start()
    except OSError as error:
        raise WebhookSetupError(
            f"cannot listen on {settings.webhook_listen}:{settings.webhook_port}: "
            f"{error.strerror or error}"
        ) from error
    _warn_near_the_file_limit(settings.webhook_max_connections)
    port = runner.addresses[0][1]
    return WebhookServer(listen=settings.webhook_listen, port=port, path=path)


def _warn_near_the_file_limit(max_connections: int) -> None:
    # Each connection is a descriptor, and so are the database, the log and outgoing calls:
    # a cap at the limit would let a flood take those away, the failure the cap prevents.
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and max_connections > soft - FILE_DESCRIPTOR_RESERVE:
        log.warning(
            "webhook: WEBHOOK_MAX_CONNECTIONS=%d leaves fewer than %d of the %d open files "
            "allowed for the database and the log; lower it or raise the limit (LimitNOFILE=)",
            max_connections,
            FILE_DESCRIPTOR_RESERVE,
            soft,
        )


def run_webhook(application: BotApplication, settings: Settings) -> None:
    """`python -m bot run --webhook`: serve until SIGTERM or SIGINT, then stop cleanly."""
    asyncio.run(_serve_until_signalled(application, settings))


async def _serve_until_signalled(application: BotApplication, settings: Settings) -> None:
    with StopSignals("webhook") as signals:
        try:
            async with serving_webhook(application, settings):
                signals.running()
                await signals.stop.wait()
                log.info("webhook: stop requested, finishing the updates in hand")
        except asyncio.CancelledError:
            signals.start_up_interrupted()
    log.info("webhook: stopped")
