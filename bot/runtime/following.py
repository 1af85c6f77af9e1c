"""Following parcels through Kuaidi100 in the running bot: the periodic round, the push
route of the webhook server, and the messages they bring, sent through the bot.

Off unless KUAIDI100_KEY and KUAIDI100_CUSTOMER are set (bot.app then attaches
`ParcelFollowing`). Neither the key nor the salt is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.adapters.kuaidi100 import (
    PUSH_BAD_SIGNATURE,
    PUSH_OK,
    BadSignature,
    Kuaidi100Client,
    Kuaidi100Error,
    read_push,
)
from bot.context import BotApplication
from bot.db import users
from bot.reminders.sending import describe_error
from bot.render.i18n import resolve_language, translate
from bot.render.logistics import (
    render_followed_flags,
    render_followed_signing,
    render_phone_needed,
)
from bot.services.following import (
    NoticeKind,
    ParcelFollowing,
    ParcelNotice,
    push_callback_url,
)
from handlers import routes

if TYPE_CHECKING:
    from telegram.ext import JobQueue

    from bot.config import Settings
    from bot.context import BotContext

log = logging.getLogger(__name__)

# The first round waits a little after start-up, so a restart storm does not query at once.
FIRST_ROUND = timedelta(minutes=1)
# Waits for Telegram's flood control an alert may take, after the rate limiter's own.
FLOOD_ATTEMPTS = 5
PUSH_BAD_REQUEST = {"result": False, "returnCode": "500", "message": "参数错误"}
MAX_PUSH_BYTES = 256 * 1024


def attach_following(application: BotApplication, settings: Settings) -> None:
    """Build the follower when Kuaidi100 is configured; otherwise nothing is queried."""
    if not settings.kuaidi100_enabled:
        return
    assert settings.kuaidi100_key is not None
    assert settings.kuaidi100_customer is not None
    services = application.bot_data
    client = Kuaidi100Client(
        key=settings.kuaidi100_key.get_secret_value(),
        customer=settings.kuaidi100_customer,
        clock=services.clock,
        base_url=settings.kuaidi100_base_url,
    )
    services.following = ParcelFollowing(
        services.sessions,
        services.clock,
        services.parcels,
        client,
        salt=settings.kuaidi100_push_salt(),
        callback_url=push_callback_url(settings.webhook_url) if settings.webhook_url else None,
    )


def schedule_following(application: BotApplication) -> None:
    services = application.bot_data
    job_queue: JobQueue[BotContext] | None = application.job_queue
    if services.following is None or job_queue is None:
        return
    interval = timedelta(minutes=services.settings.kuaidi100_poll_minutes)
    job_queue.run_repeating(
        _round_job, interval=interval, first=FIRST_ROUND, name="kuaidi100-following"
    )


async def _round_job(context: BotContext) -> None:
    await follow_now(cast("BotApplication", context.application))


async def follow_now(application: BotApplication) -> int:
    """One round of following; the messages it brings are sent. How many were sent."""
    following = application.bot_data.following
    if following is None:
        return 0
    notices = await following.follow_due()
    return await send_notices(application, notices)


async def send_notices(application: BotApplication, notices: Sequence[ParcelNotice]) -> int:
    sent = 0
    for notice in notices:
        text, markup = _message(application, notice)
        try:
            await _send_through_flood_control(application, notice.chat_id, text, markup)
        except Forbidden:
            # Blocked: remembered as the reminder engine does; reminders pause for them.
            services = application.bot_data
            async with services.sessions.begin() as session:
                await users.set_blocked(session, notice.user_id, True, services.clock.now())
            continue
        except TelegramError as error:
            log.warning(
                "kuaidi100: could not tell user %d about their parcel: %s",
                notice.user_id,
                describe_error(error),
            )
            continue
        sent += 1
    return sent


async def _send_through_flood_control(
    application: BotApplication, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """An alert is sent once (its flag is already saved): Telegram's flood control on a
    busy chat must delay it, not drop it. The rate limiter retries a few times; past that,
    this waits as long as Telegram asks, up to FLOOD_ATTEMPTS more times."""
    for attempt in range(FLOOD_ATTEMPTS + 1):
        try:
            await application.bot.send_message(chat_id, text, reply_markup=markup)
            return
        except RetryAfter as error:
            if attempt == FLOOD_ATTEMPTS:
                raise
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await asyncio.sleep(seconds + 0.5)


def _message(
    application: BotApplication, notice: ParcelNotice
) -> tuple[str, InlineKeyboardMarkup | None]:
    language = resolve_language(notice.language)
    if notice.kind is NoticeKind.PHONE_NEEDED:
        text = render_phone_needed(
            language=language,
            label=notice.label,
            number=notice.tracking_no,
            carrier=notice.carrier,
        )
        button = InlineKeyboardButton(
            translate(language, "follow_btn_phone"), callback_data=routes.MENU.pack("warehouse")
        )
        return text, InlineKeyboardMarkup([[button]])
    if notice.kind is NoticeKind.SIGNED and notice.deadline is not None:
        text = render_followed_signing(
            language=language,
            label=notice.label,
            number=notice.tracking_no,
            deadline=notice.deadline,
            now=application.bot_data.clock.now(),
        )
        return text, None
    text = render_followed_flags(
        notice.flags,
        language=language,
        label=notice.label,
        number=notice.tracking_no,
        deadline=notice.deadline,
    )
    return text, None


async def receive_push(application: BotApplication, request: web.Request) -> web.Response:
    """Kuaidi100's push: refused (400) unless signed with our salt; PUSH_OK once applied."""
    following = application.bot_data.following
    if following is None:
        return web.json_response(PUSH_BAD_REQUEST, status=404)
    if request.content_length is not None and request.content_length > MAX_PUSH_BYTES:
        return web.json_response(PUSH_BAD_REQUEST, status=413)
    form = await request.post()
    fields = {name: str(value) for name, value in form.items() if isinstance(value, str)}
    try:
        status = read_push(fields, following.salt)
    except BadSignature:
        log.warning("kuaidi100: refused a push with a bad signature from %s", request.remote)
        return web.json_response(PUSH_BAD_SIGNATURE, status=400)
    except Kuaidi100Error as error:
        log.warning("kuaidi100: refused a push that could not be read (%s)", error)
        return web.json_response(PUSH_BAD_REQUEST, status=400)
    notices = await following.apply_push(status)
    await send_notices(application, notices)
    return web.json_response(PUSH_OK)
