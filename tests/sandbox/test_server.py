"""The sandbox Bot API server, driven by the real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import base64
import io
import re
import struct
import zlib
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter

from bot.sandbox.flood import FloodControl, FloodLimits
from bot.sandbox.server import Sandbox, serve
from tests.sandbox.conftest import BOT_ID, TOKEN, USER_ID, EchoBot, build_echo_app
from tests.servers import free_port

NOT_MODIFIED = (
    "Message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.upper(), callback_data=d)] for d in data])


async def api(
    http: aiohttp.ClientSession, method: str, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"/bot{token}/{method}", json=params) as response:
        return response.status, await response.json()


# -- round trips through a polling PTB application -------------------------------------


async def test_echo_round_trip(sandbox: Sandbox, echo_bot: EchoBot) -> None:
    await sandbox.send_text(USER_ID, "hello there")

    reply = await sandbox.wait_for_bot_message(USER_ID)

    assert reply.text == "hello there"
    assert reply.from_bot
    assert [(m.from_bot, m.text) for m in sandbox.messages(USER_ID)] == [
        (False, "hello there"),
        (True, "hello there"),
    ]


async def test_a_command_gets_its_entity_and_a_button_press_is_answered(
    sandbox: Sandbox, echo_bot: EchoBot
) -> None:
    update = await sandbox.send_text(USER_ID, "/buttons now")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 8}]
    menu = await sandbox.wait_for_bot_message(USER_ID)
    assert [b["callback_data"] for b in menu.inline_buttons()] == ["a", "b"]

    press = await sandbox.press_button(USER_ID, menu.message_id, button_index=1)
    edited = await sandbox.wait_for_bot_message(USER_ID)

    assert echo_bot.pressed == ["b"]
    assert edited.message_id == menu.message_id
    assert edited.edited
    assert edited.text == "pressed b"
    assert edited.reply_markup is None
    await sandbox.wait_until_settled()
    answer = sandbox.callback_answer(press["callback_query"]["id"])
    assert answer is not None
    assert answer["text"] == "got b"


async def test_pressing_a_missing_button_raises_unless_forged(
    sandbox: Sandbox, echo_bot: EchoBot
) -> None:
    await sandbox.send_text(USER_ID, "/buttons")
    menu = await sandbox.wait_for_bot_message(USER_ID)

    with pytest.raises(LookupError):
        await sandbox.press_button(USER_ID, menu.message_id, "zzz")
    with pytest.raises(LookupError):
        await sandbox.press_button(USER_ID, menu.message_id, button_index=5)
    with pytest.raises(LookupError):
        await sandbox.press_button(USER_ID, 999, "a")
    await sandbox.press_button(USER_ID, menu.message_id, "zzz", forged=True)
    # PTB's Updater confirms an update before handling it: "settled" would not cover it.
    await sandbox.wait_for(lambda: echo_bot.pressed)

    assert echo_bot.pressed == ["zzz"]


async def test_wait_until_settled_returns_after_the_reply(
    sandbox: Sandbox, echo_bot: EchoBot
) -> None:
    sandbox.inject_fault("sendMessage", 200, delay=0.4)  # a slow but successful reply
    await sandbox.send_text(USER_ID, "slow")

    await sandbox.wait_until_settled(quiet=0.2)

    assert [m.text for m in sandbox.bot_messages(USER_ID)] == ["slow"]


async def test_wait_until_settled_times_out_while_an_update_is_not_fetched(
    sandbox: Sandbox,
) -> None:
    await sandbox.send_text(USER_ID, "nobody polls")

    with pytest.raises(TimeoutError, match="1 update"):
        await sandbox.wait_until_settled(quiet=0.05, timeout=0.3)


async def test_user_photo_can_be_fetched_and_downloaded(sandbox: Sandbox, ptb_bot: Bot) -> None:
    image = tiny_png()
    update = await sandbox.send_photo(USER_ID, image, caption="the invoice")
    photo = update["message"]["photo"][-1]
    assert (photo["width"], photo["height"]) == (3, 2)
    assert update["message"]["caption"] == "the invoice"

    file = await ptb_bot.get_file(photo["file_id"])
    downloaded = await file.download_as_bytearray()

    assert bytes(downloaded) == image


async def test_bot_photo_upload_is_stored_with_its_html_caption(
    sandbox: Sandbox, ptb_bot: Bot, known_user: int
) -> None:
    sent = await ptb_bot.send_photo(
        known_user, photo=tiny_png(), caption="<b>total</b> 5", parse_mode="HTML"
    )

    stored = sandbox.bot_messages(known_user)[-1]
    assert stored.photo is not None
    assert stored.photo[0]["file_id"] == sent.photo[-1].file_id
    assert (stored.caption, stored.html) == ("total 5", "<b>total</b> 5")
    assert (await ptb_bot.get_file(sent.photo[-1].file_id)).file_size == len(tiny_png())


async def test_a_forward_hides_its_origin(sandbox: Sandbox) -> None:
    update = await sandbox.send_forward(USER_ID, "pay to 6222 now", origin_name="Shop A")

    origin = update["message"]["forward_origin"]
    assert origin["type"] == "hidden_user"
    assert origin["sender_user_name"] == "Shop A"


# -- Telegram's errors as PTB sees them -------------------------------------------------


async def test_bad_html_is_rejected_like_telegram(ptb_bot: Bot, known_user: int) -> None:
    with pytest.raises(BadRequest) as caught:
        await ptb_bot.send_message(known_user, "a < b", parse_mode="HTML")

    assert (
        caught.value.message == 'Can\'t parse entities: unsupported start tag "" at byte offset 2'
    )


async def test_callback_data_over_64_bytes_is_rejected(ptb_bot: Bot, known_user: int) -> None:
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await ptb_bot.send_message(known_user, "menu", reply_markup=keyboard("x" * 65))


async def test_unknown_chat_is_not_found(ptb_bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await ptb_bot.send_message(123456, "hello?")


async def test_blocked_user_is_forbidden_until_they_write_again(
    sandbox: Sandbox, ptb_bot: Bot, known_user: int
) -> None:
    sandbox.block(known_user)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await ptb_bot.send_message(known_user, "reminder")
    with pytest.raises(Forbidden):
        await ptb_bot.send_chat_action(known_user, "typing")

    await sandbox.send_text(known_user, "/start")
    assert (await ptb_bot.send_message(known_user, "welcome back")).text == "welcome back"


async def test_injected_429_raises_retry_after(
    sandbox: Sandbox, ptb_bot: Bot, known_user: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # read retry_after without a deprecation
    sandbox.inject_fault("sendMessage", 429, retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await ptb_bot.send_message(known_user, "x")

    assert caught.value.retry_after == timedelta(seconds=7)
    assert (await ptb_bot.send_message(known_user, "y")).text == "y"  # count=1: used up


async def test_sending_fast_to_one_chat_hits_flood_control(
    sandbox: Sandbox, ptb_bot: Bot, known_user: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    outcomes: list[timedelta | None] = []
    for number in range(5):
        try:
            await ptb_bot.send_message(known_user, f"message {number}")
            outcomes.append(None)
        except RetryAfter as error:
            outcomes.append(error.retry_after)  # type: ignore[arg-type]

    refusals = [waited for waited in outcomes[3:] if waited is not None]
    assert outcomes[:3] == [None] * 3
    assert refusals
    assert all(waited >= timedelta(seconds=1) for waited in refusals)
    assert len(sandbox.bot_messages(known_user)) == outcomes.count(None)


async def test_message_not_modified_and_real_edits(
    sandbox: Sandbox, ptb_bot: Bot, known_user: int
) -> None:
    sent = await ptb_bot.send_message(
        known_user, "<b>Plan</b>", "HTML", reply_markup=keyboard("a")
    )
    chat_id, message_id = known_user, sent.message_id

    with pytest.raises(BadRequest) as same_text:
        await ptb_bot.edit_message_text(
            "<b>Plan</b>", chat_id, message_id, parse_mode="HTML", reply_markup=keyboard("a")
        )
    with pytest.raises(BadRequest) as same_markup:
        await ptb_bot.edit_message_reply_markup(chat_id, message_id, reply_markup=keyboard("a"))
    await ptb_bot.edit_message_text("<b>Plan</b> v2", chat_id, message_id, parse_mode="HTML")

    assert same_text.value.message == NOT_MODIFIED
    assert same_markup.value.message == NOT_MODIFIED
    stored = sandbox.bot_messages(known_user)[-1]
    assert (stored.text, stored.html, stored.edited) == ("Plan v2", "<b>Plan</b> v2", True)
    assert stored.reply_markup is None  # an edit without markup removes the keyboard


async def test_edit_and_delete_of_missing_messages(
    sandbox: Sandbox, ptb_bot: Bot, known_user: int
) -> None:
    sent = await ptb_bot.send_message(known_user, "temporary")

    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await ptb_bot.edit_message_text("x", chat_id=known_user, message_id=999)
    assert await ptb_bot.delete_message(known_user, sent.message_id) is True
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await ptb_bot.delete_message(known_user, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await ptb_bot.edit_message_text("x", chat_id=known_user, message_id=1)  # the user's

    assert [m.text for m in sandbox.messages(known_user)] == ["hi"]


async def test_replies_point_at_an_existing_message(
    sandbox: Sandbox, ptb_bot: Bot, known_user: int
) -> None:
    reply = await ptb_bot.send_message(known_user, "answer", reply_to_message_id=1)
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await ptb_bot.send_message(known_user, "answer", reply_to_message_id=999)

    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "hi"
    assert sandbox.bot_messages(known_user)[-1].reply_to_message_id == 1


async def test_old_or_unknown_callback_query(sandbox: Sandbox, ptb_bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Query is too old and response timeout expired"):
        await ptb_bot.answer_callback_query("12345")


async def test_a_callback_query_can_be_answered_once_and_only_in_time(
    ptb_bot: Bot, sandbox: Sandbox, known_user: int
) -> None:
    sent = await ptb_bot.send_message(known_user, "menu", reply_markup=keyboard("a", "b"))
    fresh = await sandbox.press_button(known_user, sent.message_id, "a")
    late = await sandbox.press_button(known_user, sent.message_id, "b")

    assert await ptb_bot.answer_callback_query(fresh["callback_query"]["id"], "ok") is True
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await ptb_bot.answer_callback_query(fresh["callback_query"]["id"])
    sandbox.api.callback_query_ttl = 0.0  # from now on every query is too old
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await ptb_bot.answer_callback_query(late["callback_query"]["id"])
    assert sandbox.callback_answer(fresh["callback_query"]["id"]) == {
        "text": "ok",
        "show_alert": False,
        "url": None,
    }


async def test_commands_are_stored_per_scope_and_language(ptb_bot: Bot) -> None:
    await ptb_bot.set_my_commands([("check", "Check a link")], language_code="ru")

    assert [c.command for c in await ptb_bot.get_my_commands(language_code="ru")] == ["check"]
    assert await ptb_bot.get_my_commands() == ()
    await ptb_bot.delete_my_commands(language_code="ru")
    assert await ptb_bot.get_my_commands(language_code="ru") == ()


async def test_get_me_and_get_chat(ptb_bot: Bot, known_user: int) -> None:
    me = await ptb_bot.get_me()
    chat = await ptb_bot.get_chat(known_user)

    assert (me.id, me.username, me.is_bot) == (BOT_ID, "SourcingGuardBot", True)
    assert (chat.id, chat.type, chat.first_name) == (known_user, "private", "Ann")


# -- getUpdates and webhooks ----------------------------------------------------------


async def test_newer_get_updates_ends_the_older_long_poll(
    sandbox: Sandbox, ptb_bot: Bot, http: aiohttp.ClientSession
) -> None:
    older = asyncio.create_task(ptb_bot.get_updates(timeout=5))
    await sandbox.wait_for(lambda: sandbox.queue.polling, timeout=2)

    status, body = await api(http, "getUpdates", timeout=0)

    assert (status, body) == (200, {"ok": True, "result": []})
    with pytest.raises(Conflict) as caught:
        await older
    assert caught.value.message == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


async def test_get_updates_offsets_limit_and_negative_offset(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    for text in ("one", "two", "three"):
        await sandbox.send_text(USER_ID, text)

    _, first = await api(http, "getUpdates", limit=0)  # clamped to 1
    first_id = first["result"][0]["update_id"]
    _, rest = await api(http, "getUpdates", offset=first_id + 1, limit=500)
    _, last = await api(http, "getUpdates", offset=-1)
    _, again = await api(http, "getUpdates", offset=0)

    assert [u["message"]["text"] for u in first["result"]] == ["one"]
    assert [u["message"]["text"] for u in rest["result"]] == ["two", "three"]
    assert [u["message"]["text"] for u in last["result"]] == ["three"]
    assert [u["message"]["text"] for u in again["result"]] == ["three"]


async def test_a_redelivered_update_comes_again_with_its_own_id(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    update = await sandbox.send_text(USER_ID, "once")
    following = update["update_id"] + 1
    await api(http, "getUpdates")
    _, confirmed = await api(http, "getUpdates", offset=following)

    sandbox.redeliver(update)
    _, again = await api(http, "getUpdates", offset=following)
    _, then = await api(http, "getUpdates", offset=following)

    assert confirmed["result"] == []
    assert again["result"] == [update], "the offset that confirmed it once does not hide it"
    assert then["result"] == []


async def test_long_poll_wakes_when_an_update_arrives(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(api(http, "getUpdates", timeout=5))
    await sandbox.wait_for(lambda: sandbox.queue.polling, timeout=2)

    await sandbox.send_text(USER_ID, "wake up")
    status, body = await asyncio.wait_for(poll, timeout=2)

    assert status == 200
    assert body["result"][0]["message"]["text"] == "wake up"


async def test_webhook_lifecycle_answers(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    _, deleted = await api(http, "deleteWebhook")
    _, bad_url = await api(http, "setWebhook", url="http://example.com/hook")
    _, bad_port = await api(http, "setWebhook", url="https://example.com:8080/hook")
    _, long_secret = await api(
        http, "setWebhook", url="http://127.0.0.1:9/hook", secret_token="s" * 257
    )
    _, bad_secret = await api(
        http, "setWebhook", url="http://127.0.0.1:9/hook", secret_token="no spaces"
    )
    _, was_set = await api(http, "setWebhook", url="http://127.0.0.1:9/hook")
    _, again = await api(http, "setWebhook", url="http://127.0.0.1:9/hook")
    status, polling = await api(http, "getUpdates")
    _, info = await api(http, "getWebhookInfo")
    await api(http, "deleteWebhook", drop_pending_updates=True)

    assert deleted == {"ok": True, "result": True, "description": "Webhook is already deleted"}
    assert (
        bad_url["description"]
        == "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    assert bad_port["description"].startswith("Bad Request: bad webhook: Webhook can be set up")
    assert long_secret["description"] == "Bad Request: secret token is too long"
    assert bad_secret["description"] == "Bad Request: secret token contains unallowed characters"
    assert (was_set["description"], again["description"]) == (
        "Webhook was set",
        "Webhook is already set",
    )
    assert status == 409
    assert polling["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    assert info["result"]["url"] == "http://127.0.0.1:9/hook"


async def test_webhook_delivery_to_a_ptb_webhook_with_a_secret(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    echo = build_echo_app(sandbox)
    port = free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    async with echo.app:
        await echo.app.start()
        assert echo.app.updater is not None
        await echo.app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", webhook_url=hook, secret_token="s3cret"
        )
        try:
            await sandbox.send_text(USER_ID, "via webhook")
            reply = await sandbox.wait_for_bot_message(USER_ID)
            await sandbox.wait_until_settled(quiet=0.1)

            # Re-register the same URL with a secret the bot does not know.
            await api(http, "setWebhook", url=hook, secret_token="wrong")
            await sandbox.send_text(USER_ID, "forged secret")
            rejected = await sandbox.wait_for(
                lambda: [a for a in sandbox.webhook_attempts if a.status == 403], timeout=5
            )
            with pytest.raises(TimeoutError):
                await sandbox.wait_until_settled(quiet=0.05, timeout=0.3)
            _, info = await api(http, "getWebhookInfo")
            await api(http, "deleteWebhook", drop_pending_updates=True)
        finally:
            await echo.app.updater.stop()
            await echo.app.stop()

    assert reply.text == "via webhook"
    assert sandbox.webhook_attempts[0].status == 200
    assert rejected[0].error is not None
    assert "403" in rejected[0].error
    assert echo.seen_texts == ["via webhook"]
    assert info["result"]["pending_update_count"] == 1
    assert info["result"]["last_error_message"].startswith("Wrong response from the webhook: 403")


# -- raw HTTP: envelope, headers, token and path rules -----------------------------------


async def test_malformed_tokens_get_401(http: aiohttp.ClientSession) -> None:
    for token in ("nocolon", "0123:abc", "12a:abc", "1:" + "x" * 80):
        async with http.get(f"/bot{token}/getMe") as response:
            assert response.status == 401
            assert response.headers["Content-Type"] == "application/json"
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized: invalid token specified",
            }


async def test_unknown_method_and_foreign_paths_get_404(http: aiohttp.ClientSession) -> None:
    status, unknown = await api(http, "sendTelepathy")
    async with http.get("/api/getMe") as response:
        foreign = (response.status, await response.json())

    assert (status, unknown) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert foreign == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_any_well_formed_token_is_its_own_bot_and_methods_ignore_case(
    http: aiohttp.ClientSession,
) -> None:
    async with http.get("/bot98765:other-bot/GETme") as response:
        body = await response.json()

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert body["ok"] is True
    assert body["result"]["id"] == 98765


async def test_query_string_form_and_json_bodies(
    sandbox: Sandbox, http: aiohttp.ClientSession, known_user: int
) -> None:
    by_query = await http.get(
        f"/bot{TOKEN}/sendMessage", params={"chat_id": known_user, "text": "q"}
    )
    by_form = await http.post(
        f"/bot{TOKEN}/sendMessage",
        data={"chat_id": str(known_user), "text": "f", "reply_markup": '{"inline_keyboard": []}'},
    )
    by_json = await http.post(
        f"/bot{TOKEN}/sendMessage", json={"chat_id": known_user, "text": "j"}
    )

    assert [r.status for r in (by_query, by_form, by_json)] == [200, 200, 200]
    assert [m.text for m in sandbox.bot_messages(known_user)] == ["q", "f", "j"]


async def test_429_carries_retry_after_in_body_and_header(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.inject_fault(None, 429, retry_after=3)

    async with http.post(f"/bot{TOKEN}/getMe") as response:
        body = await response.json()

    assert response.status == 429
    assert response.headers["Retry-After"] == "3"
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_other_injected_statuses_and_call_recording(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.inject_fault("getMe", 502, count=2)

    statuses = [(await api(http, "getme"))[0] for _ in range(3)]

    assert statuses == [502, 502, 200]
    assert [(c.method, c.ok, c.error_code) for c in sandbox.calls] == [
        ("getme", False, 502),
        ("getme", False, 502),
        ("getMe", True, None),
    ]


async def test_unconfigured_methods_are_validated_then_accepted(
    sandbox: Sandbox, http: aiohttp.ClientSession, known_user: int
) -> None:
    _, pinned = await api(http, "pinChatMessage", chat_id=known_user, message_id=1)
    _, missing = await api(http, "pinChatMessage", chat_id=known_user)

    assert pinned == {"ok": True, "result": True}
    assert missing["ok"] is False
    assert missing["error_code"] == 400


# -- the HTTP control API ---------------------------------------------------------------


async def test_control_api_over_http(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    async with http.post(f"/sandbox/users/{USER_ID}/text", json={"text": "/start"}) as response:
        said = await response.json()
    async with http.get(
        "/sandbox/settled", params={"quiet": "0.05", "timeout": "0.2"}
    ) as response:
        unsettled = response.status
    _, polled = await api(http, "getUpdates")
    await api(
        http,
        "sendMessage",
        chat_id=USER_ID,
        text="welcome",
        reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]},
    )
    async with http.get(
        f"/sandbox/chats/{USER_ID}/next", params={"after": str(said["event_seq"])}
    ) as response:
        reply = (await response.json())["result"]
    async with http.post(
        f"/sandbox/users/{USER_ID}/press",
        json={"message_id": reply["message_id"], "button_index": 0},
    ) as response:
        pressed = await response.json()
    async with http.post(
        f"/sandbox/users/{USER_ID}/press", json={"message_id": 99, "callback_data": "go"}
    ) as response:
        missing_status = response.status
    photo = base64.b64encode(tiny_png()).decode()
    async with http.post(
        f"/sandbox/users/{USER_ID}/photo", json={"data_base64": photo}
    ) as response:
        photo_status = response.status
    async with http.get(f"/sandbox/chats/{USER_ID}/messages") as response:
        messages = (await response.json())["result"]
    async with http.get("/sandbox/calls", params={"method": "sendMessage"}) as response:
        calls = (await response.json())["result"]

    assert said["result"]["message"]["text"] == "/start"
    assert unsettled == 504
    assert polled["result"][0]["message"]["text"] == "/start"
    assert reply["text"] == "welcome"
    assert reply["inline_buttons"][0]["callback_data"] == "go"
    assert pressed["result"]["callback_query"]["data"] == "go"
    assert (missing_status, photo_status) == (404, 200)
    assert [m["from_bot"] for m in messages] == [False, True, False]
    assert [c["params"]["text"] for c in calls] == ["welcome"]


async def test_control_api_blocks_and_injects_faults(
    sandbox: Sandbox, http: aiohttp.ClientSession, known_user: int
) -> None:
    await http.post(f"/sandbox/users/{known_user}/block")
    status, blocked = await api(http, "sendMessage", chat_id=known_user, text="x")
    await http.post(f"/sandbox/users/{known_user}/unblock")
    await http.post("/sandbox/faults", json={"method": "sendMessage", "status": 500})
    status_500, _ = await api(http, "sendMessage", chat_id=known_user, text="x")
    status_ok, _ = await api(http, "sendMessage", chat_id=known_user, text="x")

    assert (status, blocked["description"]) == (403, "Forbidden: bot was blocked by the user")
    assert (status_500, status_ok) == (500, 200)


# -- flood buckets and the serve() entry point ------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_private_chat_bucket_allows_a_burst_then_one_per_second() -> None:
    clock = FakeClock()
    flood = FloodControl(FloodLimits(), clock=clock)

    assert [flood.acquire(5) for _ in range(4)] == [None, None, None, 1]
    clock.now += 1.0
    assert flood.acquire(5) is None
    assert flood.acquire(6) is None  # another chat has its own bucket


def test_group_bucket_allows_twenty_per_minute() -> None:
    clock = FakeClock()
    flood = FloodControl(FloodLimits(), clock=clock)

    assert all(flood.acquire(-100) is None for _ in range(20))
    assert flood.acquire(-100) == 3  # one token every 3 s
    assert flood.acquire("@channel") is None


def test_global_bucket_and_switching_off() -> None:
    clock = FakeClock()
    flood = FloodControl(FloodLimits(global_burst=2, global_per_second=2.0), clock=clock)

    assert [flood.acquire(chat) for chat in (1, 2, 3)] == [None, None, 1]
    assert all(FloodControl(FloodLimits.off()).acquire(1) is None for _ in range(100))


class _Lines(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.printed = asyncio.Event()

    def write(self, text: str) -> int:
        self.printed.set()
        return super().write(text)


async def test_serve_prints_how_to_connect_and_stops_when_cancelled() -> None:
    out = _Lines()
    server = asyncio.create_task(serve("127.0.0.1", 0, out=out))
    await asyncio.wait_for(out.printed.wait(), timeout=5)
    base = re.findall(r"listening on (\S+)", out.getvalue())[0]
    async with aiohttp.ClientSession() as http, http.get(f"{base}/bot1:x/getMe") as response:
        me = await response.json()

    server.cancel()
    with pytest.raises(asyncio.CancelledError):
        await server
    assert me["result"]["id"] == 1
    assert f'.base_url("{base}/bot")' in out.getvalue()
