"""Call validation and Telegram's limits, with the real server's answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MessageEntity,
    ReplyParameters,
)
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.sandbox.errors import (
    ApiError,
    bad_request,
    conflict,
    forbidden,
    not_found,
    too_many_requests,
    unauthorized,
)
from bot.sandbox.validation import (
    UploadedFile,
    check_bot_commands,
    check_callback_answer_text,
    check_reply_markup,
    format_text,
    validate_call,
)


def error_of(call: Any, *args: Any, **kwargs: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args, **kwargs)
    return caught.value


def ptb_form(**params: Any) -> dict[str, str]:
    """The form values python-telegram-bot 22.8 puts on the wire for these arguments."""
    data = RequestData([RequestParameter.from_input(key, value) for key, value in params.items()])
    return data.json_parameters


def inline(*rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"inline_keyboard": list(rows)}


# --- errors ---------------------------------------------------------------------------


def test_error_envelopes() -> None:
    assert bad_request("chat not found").envelope() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: chat not found",
    }
    assert too_many_requests(7).envelope() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert forbidden("bot was blocked by the user").description == (
        "Forbidden: bot was blocked by the user"
    )
    assert (not_found().error_code, not_found().description) == (404, "Not Found")
    assert (unauthorized().error_code, unauthorized().description) == (401, "Unauthorized")
    assert conflict("terminated by setWebhook request").error_code == 409
    migrated = ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", {})
    assert "parameters" not in migrated.envelope()


# --- validate_call --------------------------------------------------------------------


def test_ptb_style_form_values_decode() -> None:
    markup = '{"inline_keyboard": [[{"callback_data": "x", "text": "a"}]]}'
    name, params = validate_call(
        "sendmessage",
        {"chat_id": "5", "text": "hi", "disable_notification": "true", "reply_markup": markup},
    )
    assert name == "sendMessage"
    assert params == {
        "chat_id": 5,
        "text": "hi",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": [[{"callback_data": "x", "text": "a"}]]},
    }


def test_what_ptb_actually_sends_is_accepted() -> None:
    form = ptb_form(
        chat_id=-100123,
        text="<b>hi</b>",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x")]]),
        reply_parameters=ReplyParameters(3),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        entities=[MessageEntity("bold", 0, 2)],
        disable_notification=False,
    )
    name, params = validate_call("sendMessage", form)
    assert name == "sendMessage"
    assert params["chat_id"] == -100123
    assert params["reply_parameters"] == {"message_id": 3}
    assert params["link_preview_options"] == {"is_disabled": True}
    assert params["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert params["disable_notification"] is False


def test_ptb_set_my_commands_is_accepted() -> None:
    form = ptb_form(commands=[BotCommand("start", "Start")], scope=BotCommandScopeChat(chat_id=42))
    _, params = validate_call("setMyCommands", form)
    assert params == {
        "commands": [{"command": "start", "description": "Start"}],
        "scope": {"type": "chat", "chat_id": 42},
    }


def test_json_body_values_are_taken_as_decoded() -> None:
    body: dict[str, Any] = {
        "chat_id": 5,
        "text": "hi",
        "protect_content": True,
        "reply_markup": {"inline_keyboard": [[{"text": "a", "url": "https://x.com"}]]},
    }
    _, params = validate_call("sendMessage", body)
    assert params["chat_id"] == 5
    assert params["protect_content"] is True
    assert params["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://x.com"


def test_unknown_method_is_not_found() -> None:
    error = error_of(validate_call, "sendMessages", {})
    assert (error.error_code, error.description) == (404, "Not Found")


def test_unknown_and_empty_parameters_are_dropped() -> None:
    _, params = validate_call(
        "sendMessage", {"chat_id": "1", "text": "x", "bogus": "1", "parse_mode": ""}
    )
    assert params == {"chat_id": 1, "text": "x"}


@pytest.mark.parametrize(
    ("method", "raw", "description"),
    [
        ("sendMessage", {"chat_id": "1"}, "Bad Request: message text is empty"),
        ("sendMessage", {"chat_id": "1", "text": ""}, "Bad Request: message text is empty"),
        ("sendMessage", {"text": "x"}, "Bad Request: chat_id is empty"),
        ("sendPhoto", {"chat_id": "1"}, "Bad Request: there is no photo in the request"),
        (
            "sendPhoto",
            {"chat_id": "1", "photo": "attach://missing"},
            "Bad Request: there is no photo in the request",
        ),
        ("answerCallbackQuery", {}, 'Bad Request: parameter "callback_query_id" is required'),
        ("editMessageText", {"text": "x"}, "Bad Request: chat_id is empty"),
        (
            "editMessageText",
            {"text": "x", "chat_id": "1"},
            "Bad Request: message identifier is not specified",
        ),
    ],
)
def test_missing_parameters(method: str, raw: dict[str, Any], description: str) -> None:
    error = error_of(validate_call, method, raw)
    assert (error.error_code, error.description) == (400, description)


def test_edit_of_an_inline_message_needs_no_chat() -> None:
    _, params = validate_call("editMessageText", {"text": "x", "inline_message_id": "abc"})
    assert params == {"text": "x", "inline_message_id": "abc"}


def test_set_webhook_without_url_is_allowed() -> None:
    assert validate_call("setWebhook", {}) == ("setWebhook", {})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("5", 5), ("-12", -12), ("5abc", 5), ("abc", 0), (7, 7)],
)
def test_integers_are_parsed_leniently(raw: Any, expected: int) -> None:
    _, params = validate_call(
        "sendMessage", {"chat_id": "1", "text": "x", "message_thread_id": raw}
    )
    assert params["message_thread_id"] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("1", True),
        ("false", False),
        ("no", False),
        ("0", False),
        ("maybe", False),
        (True, True),
    ],
)
def test_booleans(raw: Any, expected: bool) -> None:
    _, params = validate_call("sendMessage", {"chat_id": "1", "text": "x", "protect_content": raw})
    assert params["protect_content"] is expected


def test_chat_id_accepts_numbers_and_usernames() -> None:
    assert validate_call("getChat", {"chat_id": "-1001"})[1] == {"chat_id": -1001}
    assert validate_call("getChat", {"chat_id": "@channel"})[1] == {"chat_id": "@channel"}


def test_floats() -> None:
    raw: dict[str, Any] = {"chat_id": "1", "latitude": "52.5", "longitude": 13}
    _, params = validate_call("sendLocation", raw)
    assert params["latitude"] == 52.5
    assert params["longitude"] == 13.0


def test_get_updates_is_clamped_not_rejected() -> None:
    _, params = validate_call("getUpdates", {"limit": "1000", "timeout": "100", "offset": "-3"})
    assert params == {"limit": 100, "timeout": 50, "offset": -3}
    _, params = validate_call("getUpdates", {"limit": "0", "timeout": "-5"})
    assert (params["limit"], params["timeout"]) == (1, 0)
    assert validate_call("getUpdates", {})[1] == {"limit": 100, "timeout": 0}


def test_nested_values_are_typed() -> None:
    raw = '{"message_id": "3", "chat_id": "-100", "quote_position": 2}'
    _, params = validate_call(
        "sendMessage", {"chat_id": "1", "text": "x", "reply_parameters": raw}
    )
    assert params["reply_parameters"] == {"message_id": 3, "chat_id": -100, "quote_position": 2}


def test_allowed_updates_are_decoded() -> None:
    _, params = validate_call("getUpdates", {"allowed_updates": '["message", "callback_query"]'})
    assert params["allowed_updates"] == ["message", "callback_query"]


def test_uploaded_files_and_attach_references() -> None:
    photo = UploadedFile("a.jpg", "image/jpeg", b"\xff\xd8")
    _, params = validate_call("sendPhoto", {"chat_id": "1", "photo": photo})
    assert params["photo"] is photo
    _, params = validate_call("sendPhoto", {"chat_id": "1", "photo": "attach://p", "p": photo})
    assert params == {"chat_id": 1, "photo": photo}
    _, params = validate_call("sendPhoto", {"chat_id": "1", "photo": "AgACAgIAAx0"})
    assert params["photo"] == "AgACAgIAAx0"


def test_media_group_items_are_checked() -> None:
    media = '[{"type": "photo", "media": "attach://a"}, {"type": "photo", "media": "id"}]'
    _, params = validate_call("sendMediaGroup", {"chat_id": "1", "media": media})
    assert [item["type"] for item in params["media"]] == ["photo", "photo"]
    error = error_of(validate_call, "sendMediaGroup", {"chat_id": "1", "media": '[{"type": "x"}]'})
    assert error.description.endswith("Unsupported type specified")


@pytest.mark.parametrize(
    ("raw", "description"),
    [
        (
            {"reply_markup": "{not json"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        ({"reply_markup": "[]"}, "Bad Request: object expected as reply markup"),
        (
            {"reply_markup": '{"inline_keyboard": {}}'},
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array',
        ),
        (
            {"reply_markup": '{"inline_keyboard": [{}]}'},
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of '
            "Arrays",
        ),
        (
            {"reply_markup": '{"inline_keyboard": [[{"text": "a"}]]}'},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
            "inline keyboard",
        ),
        (
            {"reply_markup": '{"inline_keyboard": [[{"callback_data": "x"}]]}'},
            "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
        ),
        ({"entities": "[{"}, "Bad Request: can't parse entities JSON object"),
        (
            {"link_preview_options": "nope"},
            "Bad Request: can't parse link preview options JSON object",
        ),
        (
            {"entities": '[{"type": "bold", "offset": 0}]'},
            "Bad Request: can't parse MessageEntity: Can't find field \"length\"",
        ),
        (
            {"entities": '[{"type": "bold", "offset": [], "length": 1}]'},
            'Bad Request: can\'t parse MessageEntity: Field "offset" must be of type Number',
        ),
        (
            {"link_preview_options": '{"is_disabled": "yes"}'},
            'Bad Request: can\'t parse LinkPreviewOptions: Field "is_disabled" must be of type '
            "Boolean",
        ),
    ],
)
def test_bad_structured_values(raw: dict[str, Any], description: str) -> None:
    error = error_of(validate_call, "sendMessage", {"chat_id": "1", "text": "x", **raw})
    assert (error.error_code, error.description) == (400, description)


def test_union_types_pick_their_member_by_tag() -> None:
    commands = '[{"command": "a", "description": "b"}]'
    error = error_of(
        validate_call, "setMyCommands", {"commands": commands, "scope": '{"type": "nope"}'}
    )
    assert (
        error.description == "Bad Request: can't parse BotCommandScope: Unsupported type specified"
    )
    error = error_of(
        validate_call, "setMyCommands", {"commands": commands, "scope": '{"type": "chat"}'}
    )
    assert error.description == (
        "Bad Request: can't parse BotCommandScopeChat: Can't find field \"chat_id\""
    )


# --- format_text ----------------------------------------------------------------------


def test_format_text_html() -> None:
    assert format_text("<b>hi</b> there", "HTML", None) == (
        "hi there",
        [{"offset": 0, "length": 2, "type": "bold"}],
    )


@pytest.mark.parametrize(
    ("text", "parse_mode", "description"),
    [
        (None, None, "Bad Request: message text is empty"),
        ("", "HTML", "Bad Request: message text is empty"),
        (
            "a < b",
            "HTML",
            'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
        ),
        (
            "<b>x</i>",
            "HTML",
            "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, "
            'expected "</b>", found "</i>"',
        ),
        ("<b> </b>", "HTML", "Bad Request: text must be non-empty"),
        ("   \n ", None, "Bad Request: text must be non-empty"),
        ("x", "Markdown3", "Bad Request: unsupported parse_mode"),
        (
            "1.5",
            "MarkdownV2",
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
            "with the preceding '\\'",
        ),
    ],
)
def test_format_text_errors(text: str | None, parse_mode: str | None, description: str) -> None:
    error = error_of(format_text, text, parse_mode, None)
    assert (error.error_code, error.description) == (400, description)


@pytest.mark.parametrize("parse_mode", ["HTML", "html", "MarkdownV2", "markdownv2", "Markdown"])
def test_parse_modes_are_case_insensitive(parse_mode: str) -> None:
    assert format_text("plain", parse_mode, None) == ("plain", [])


def test_no_parse_mode_keeps_markup_literally() -> None:
    assert format_text("<b>x</b>", None, None) == ("<b>x</b>", [])
    assert format_text("<b>x</b>", "None", None) == ("<b>x</b>", [])


def test_length_counts_characters_after_parsing() -> None:
    emoji = "😀" * 4096  # 8192 UTF-16 units, 16384 bytes, but 4096 characters
    assert format_text(emoji, None, None)[0] == emoji
    assert format_text(f"<b>{'a' * 4096}</b>", "HTML", None)[0] == "a" * 4096
    error = error_of(format_text, "a" * 4097, None, None)
    assert error.description == "Bad Request: message is too long"
    # Whitespace that is trimmed away does not count.
    assert format_text("a" * 4096 + "\n\n  ", None, None)[0] == "a" * 4096


def test_raw_text_limit_is_in_bytes() -> None:
    error = error_of(format_text, "é" * 16385, "HTML", None)  # 32770 bytes
    assert error.description == "Bad Request: text is too long"


def test_captions() -> None:
    assert format_text(None, "HTML", None, caption=True) == ("", [])
    assert format_text("<b> </b>", "HTML", None, caption=True) == ("", [])
    assert format_text("a" * 1024, None, None, caption=True)[0] == "a" * 1024
    error = error_of(format_text, "a" * 1025, None, None, caption=True)
    assert error.description == "Bad Request: message caption is too long"


def test_explicit_entities() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 3, "length": 1, "url": "https://x.com"},
        {"type": "mention", "offset": 0, "length": 1},  # Telegram finds these itself
    ]
    assert format_text("hi x", None, entities) == (
        "hi x",
        [
            {"offset": 0, "length": 2, "type": "bold"},
            {"offset": 3, "length": 1, "type": "text_link", "url": "https://x.com/"},
        ],
    )


def test_parse_mode_wins_over_entities() -> None:
    entities = [{"type": "italic", "offset": 0, "length": 1}]
    assert format_text("<b>x</b>", "HTML", entities) == (
        "x",
        [{"offset": 0, "length": 1, "type": "bold"}],
    )


def test_bad_explicit_entities() -> None:
    error = error_of(format_text, "x", None, [{"type": "bold", "offset": 0, "length": 5}])
    assert error.description == (
        "Bad Request: entity beginning at UTF-16 offset 0 ends after the end of the text at "
        "UTF-16 offset 5"
    )
    error = error_of(format_text, "x", None, [{"type": "shiny", "offset": 0, "length": 1}])
    assert (
        error.description == "Bad Request: can't parse MessageEntity: Unsupported type specified"
    )
    error = error_of(
        format_text, "x", None, [{"type": "text_link", "offset": 0, "length": 1, "url": "foo"}]
    )
    assert error.description == "Bad Request: entity URL 'foo' is invalid: Wrong HTTP URL"


# --- reply markup ---------------------------------------------------------------------


def test_callback_data_limit_is_64_bytes() -> None:
    check_reply_markup(inline([{"text": "a", "callback_data": "x" * 64}]))
    error = error_of(check_reply_markup, inline([{"text": "a", "callback_data": "x" * 65}]))
    assert (error.error_code, error.description) == (400, "Bad Request: BUTTON_DATA_INVALID")


def test_callback_data_counts_utf8_bytes() -> None:
    check_reply_markup(inline([{"text": "a", "callback_data": "я" * 32}]))  # 64 bytes
    error = error_of(check_reply_markup, inline([{"text": "a", "callback_data": "я" * 33}]))
    assert error.description == "Bad Request: BUTTON_DATA_INVALID"


@pytest.mark.parametrize(
    "button", [{"text": "a"}, {"text": "a", "callback_data": ""}, {"text": "a", "url": ""}]
)
def test_buttons_without_action_are_refused(button: dict[str, Any]) -> None:
    error = error_of(check_reply_markup, inline([button]))
    assert error.description == (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
        "inline keyboard"
    )


def test_other_actions_are_accepted() -> None:
    check_reply_markup(
        inline(
            [{"text": "a", "switch_inline_query": ""}],
            [{"text": "b", "web_app": {"url": "https://x.com"}}],
            [{"text": "c", "copy_text": {"text": "x"}}],
            [{"text": "d", "pay": True}],
            [{"text": "e", "url": "tg://user?id=5"}],
        )
    )


def test_bad_button_url() -> None:
    error = error_of(check_reply_markup, inline([{"text": "a", "url": "not a url"}]))
    assert error.description.startswith("Bad Request: inline keyboard button URL 'not a url'")


def test_more_than_one_action_uses_the_first_unless_strict() -> None:
    button = {"text": "a", "url": "https://x.com", "callback_data": "x" * 80}
    check_reply_markup(inline([button]))  # the url wins; the long data is ignored
    error = error_of(check_reply_markup, inline([button]), strict=True)
    assert error.description.startswith("Bad Request: can't parse inline keyboard button:")


def test_too_many_buttons() -> None:
    row = [{"text": "a", "callback_data": "x"}]
    check_reply_markup(inline(*[row] * 100))
    error = error_of(check_reply_markup, inline(*[row] * 101))
    assert error.description == "Bad Request: reply markup is too long"


def test_too_big_markup() -> None:
    rows = [[{"text": "t" * 60, "callback_data": "d" * 64}] for _ in range(80)]
    assert len(json.dumps(inline(*rows))) > 10 * 1024
    error = error_of(check_reply_markup, inline(*rows))
    assert error.description == "Bad Request: reply markup is too long"


def test_reply_keyboards() -> None:
    check_reply_markup({"keyboard": [["a", {"text": "b"}]], "resize_keyboard": True})
    check_reply_markup({"remove_keyboard": True})
    check_reply_markup({"force_reply": True, "input_field_placeholder": "x"})
    check_reply_markup(None)
    error = error_of(check_reply_markup, {"keyboard": [[5]]})
    assert error.description == (
        "Bad Request: can't parse keyboard button: KeyboardButton must be a String or an Object"
    )
    error = error_of(check_reply_markup, {"keyboard": [["a"]], "resize_keyboard": "yes"})
    assert error.description == (
        'Bad Request: field "resize_keyboard" of the ReplyKeyboardMarkup must be of the type '
        "Boolean"
    )


# --- bot commands and callback answers ------------------------------------------------


def command(name: str, description: str = "does things") -> dict[str, str]:
    return {"command": name, "description": description}


def test_valid_commands() -> None:
    check_bot_commands([command("start"), command("/help "), command("a_1" * 10 + "xy")])
    check_bot_commands([command(f"c{i}") for i in range(100)])


@pytest.mark.parametrize(
    ("commands", "description"),
    [
        ([command("Start")], "Bad Request: BOT_COMMAND_INVALID"),
        ([command("do-it")], "Bad Request: BOT_COMMAND_INVALID"),
        ([command("/")], "Bad Request: command must be non-empty"),
        ([command("a" * 33)], "Bad Request: command length must not exceed 32"),
        ([command("a", " ")], "Bad Request: command description must be non-empty"),
        (
            [command("a", "d" * 257)],
            "Bad Request: command description length must not exceed 256",
        ),
        ([command(f"c{i}") for i in range(101)], "Bad Request: BOT_COMMANDS_TOO_MUCH"),
    ],
)
def test_invalid_commands(commands: list[dict[str, str]], description: str) -> None:
    assert error_of(check_bot_commands, commands).description == description


def test_callback_answer_text_limit() -> None:
    check_callback_answer_text(None)
    check_callback_answer_text("")
    check_callback_answer_text("я" * 200)
    error = error_of(check_callback_answer_text, "x" * 201)
    assert error.description == "Bad Request: MESSAGE_TOO_LONG"
