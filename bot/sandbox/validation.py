"""Decode and check Bot API calls the way Telegram's Bot API server does.

`validate_call` turns the raw parameters of a request (query string, form, multipart parts
or a JSON body) into typed values, driven by the schema in schema.json, and copies the real
server's leniency: unknown parameters are dropped, an empty string counts as absent,
integers and booleans are parsed loosely, getUpdates clamps `limit` and `timeout`.

The other functions are the limits the server applies later, when it builds the message:
`format_text` (parse_mode and length limits), `check_reply_markup`, `check_bot_commands`,
`check_callback_answer_text`. All raise `ApiError` with Telegram's wording.

Where the exact text of an error is not known from the server's source, the wording below
follows the server's style and is marked as a guess in a comment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import ApiError, bad_request, not_found
from bot.sandbox.html_parser import (
    USER_KINDS,
    Entity,
    EntityParseError,
    FormattingError,
    Kind,
    LinkError,
    check_link,
    entities_to_dicts,
    fix_formatted_text,
    get_link_user_id,
    parse_html_entities,
    parse_markdown_entities,
    parse_markdown_v2_entities,
)
from bot.sandbox.schema import ARRAY_PREFIX, PRIMITIVE_TYPES, FieldSpec, MethodSpec, get_schema

__all__ = [
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_MESSAGE_LENGTH",
    "MAX_RAW_TEXT_BYTES",
    "UploadedFile",
    "check_bot_commands",
    "check_callback_answer_text",
    "check_reply_markup",
    "format_text",
    "validate_call",
]

MAX_RAW_TEXT_BYTES = 32768
MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_REPLY_BUTTONS = 300
MAX_REPLY_MARKUP_BYTES = 10 * 1024
MAX_BOT_COMMANDS = 100
MAX_COMMAND_LENGTH = 32
MAX_COMMAND_DESCRIPTION_LENGTH = 256
MAX_CALLBACK_ANSWER_LENGTH = 200


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


RawValue = str | UploadedFile

# ---------------------------------------------------------------------------------------
# Scalars, parsed as loosely as the real server does
# ---------------------------------------------------------------------------------------


def _json_scalar_text(value: Any) -> str:
    """A JSON-body value as the server sees it: everything becomes its text form."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def to_integer(value: Any) -> int:
    """td::to_integer: an optional '-' and leading digits; anything else counts as 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = re.match(r"(-?)([0-9]*)", _json_scalar_text(value))
    assert match is not None  # the pattern matches every string
    sign, digits = match.groups()
    return -int(digits) if sign and digits else int(digits or "0")


def to_float(value: Any) -> float:
    """Leading number of the text, 0.0 if there is none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = re.match(
        r"\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", _json_scalar_text(value)
    )
    return float(match.group()) if match else 0.0


def to_bool(value: Any) -> bool:
    """The server's to_bool: true, yes or 1 in any case; everything else is false."""
    if isinstance(value, bool):
        return value
    return _json_scalar_text(value).strip().lower() in ("true", "yes", "1")


def integer_or_string(value: Any) -> int | str:
    """chat_id and friends: a number when the whole value is one, else the text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _json_scalar_text(value)
    return int(text) if re.fullmatch(r"-?[0-9]+", text) else text


# ---------------------------------------------------------------------------------------
# JSON values checked against the types schema
# ---------------------------------------------------------------------------------------


class _ShapeError(Exception):
    """A JSON value that does not fit; `owner` is the type whose field failed."""

    def __init__(self, owner: str, detail: str) -> None:
        super().__init__(f"{owner}: {detail}")
        self.owner = owner
        self.detail = detail


def _array_item_type(type_name: str) -> str | None:
    return type_name[len(ARRAY_PREFIX) :] if type_name.startswith(ARRAY_PREFIX) else None


def _json_type_name(type_name: str) -> str:
    """TDLib's JSON type names, used in "Field "x" must be of type ..." errors."""
    if _array_item_type(type_name) is not None:
        return "Array"
    return {"Integer": "Number", "Float": "Number", "InputFile": "String"}.get(
        type_name, type_name if type_name in PRIMITIVE_TYPES else "Object"
    )


def _check_scalar(owner: str, name: str, type_name: str, value: Any) -> Any:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "String" or type_name == "InputFile":
        if isinstance(value, str | UploadedFile):
            return value
        if is_number:
            return json.dumps(value)  # TDLib accepts a Number where a String is expected
    elif type_name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            parsed = integer_or_string(value)
            if isinstance(parsed, int):
                return parsed
            # Wording of TDLib's to_integer_safe error: a guess.
            raise _ShapeError(owner, f'Can\'t parse "{value}" as number')
    elif type_name == "Float":
        if is_number:
            return float(value)
    elif type_name == "Boolean" and isinstance(value, bool):
        return value
    raise _ShapeError(owner, f'Field "{name}" must be of type {_json_type_name(type_name)}')


def _check_typed(owner: str, name: str, types: tuple[str, ...], value: Any) -> Any:
    """`value` of field `name` of `owner`, which may be any of `types`."""
    if set(types) == {"Integer", "String"}:
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return integer_or_string(value)
        raise _ShapeError(owner, f'Field "{name}" must be of type Number or String')
    first_error: _ShapeError | None = None
    for type_name in types:
        try:
            return _check_one_type(owner, name, type_name, value)
        except _ShapeError as error:
            first_error = first_error or error
    assert first_error is not None  # every field has at least one type
    raise first_error


def _check_one_type(owner: str, name: str, type_name: str, value: Any) -> Any:
    item_type = _array_item_type(type_name)
    if item_type is not None:
        if not isinstance(value, list):
            raise _ShapeError(owner, f'Field "{name}" must be of type Array')
        return [_check_one_type(owner, name, item_type, item) for item in value]
    if type_name in PRIMITIVE_TYPES:
        return _check_scalar(owner, name, type_name, value)
    if not isinstance(value, dict):
        raise _ShapeError(owner, f'Field "{name}" must be of type Object')
    return check_object(type_name, value)


def check_object(type_name: str, value: Any) -> dict[str, Any]:
    """Check a JSON object against the schema type `type_name` (a union picks its member by
    the tag field, e.g. "type"). Returns it with typed values and without unknown keys."""
    spec = get_schema().type(type_name)
    if spec is None:
        raise _ShapeError(type_name, "Unsupported type specified")
    if not isinstance(value, dict):
        raise _ShapeError(type_name, "Object expected")
    if spec.is_union:
        return _check_union(type_name, spec.subtypes, value)
    result: dict[str, Any] = {}
    # The tag ("type": "photo") first, so a wrong member is named as such.
    for field_spec in sorted(spec.fields.values(), key=lambda f: f.const is None):
        name = field_spec.name
        field_value = value.get(name)
        if field_value is None:
            if field_spec.required:
                raise _ShapeError(type_name, f'Can\'t find field "{name}"')
            continue
        if field_spec.const is not None and field_value != field_spec.const:
            raise _ShapeError(type_name, "Unsupported type specified")
        result[name] = _check_typed(type_name, name, field_spec.types, field_value)
    return result


def _union_tag(subtypes: tuple[str, ...]) -> str | None:
    schema = get_schema()
    for subtype in subtypes:
        spec = schema.type(subtype)
        for name, field_spec in spec.fields.items() if spec else ():
            if field_spec.const is not None:
                return name
    return None


def _union_candidates(subtypes: tuple[str, ...], tag: str, value: dict[str, Any]) -> list[str]:
    schema = get_schema()
    candidates = []
    for subtype in subtypes:
        spec = schema.type(subtype)
        member_tag = spec.fields.get(tag) if spec else None
        if member_tag is not None and member_tag.const == value.get(tag):
            candidates.append(subtype)
    return candidates


def _check_union(
    type_name: str, subtypes: tuple[str, ...], value: dict[str, Any]
) -> dict[str, Any]:
    tag = _union_tag(subtypes)
    candidates = list(subtypes)
    if tag is not None:
        if tag not in value:
            raise _ShapeError(type_name, f'Can\'t find field "{tag}"')
        if not isinstance(value[tag], str):
            raise _ShapeError(type_name, f'Field "{tag}" must be of type String')
        candidates = _union_candidates(subtypes, tag, value)
        if not candidates:
            raise _ShapeError(type_name, "Unsupported type specified")
    first_error: _ShapeError | None = None
    for candidate in candidates:  # several members may share a tag (cached/uploaded audio)
        try:
            return check_object(candidate, value)
        except _ShapeError as error:
            first_error = first_error or error
    assert first_error is not None
    raise first_error


# ---------------------------------------------------------------------------------------
# reply_markup: parsed by the server's own rules, not the generic schema
# ---------------------------------------------------------------------------------------

# An inline button does what its first non-empty action field says, in this order; the real
# server ignores the rest. callback_data and url count only when non-empty.
INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "callback_game",
    "pay",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "copy_text",
)
_ACTIONS_THAT_MUST_BE_NON_EMPTY = frozenset({"url", "callback_data"})


class _MarkupError(Exception):
    """A reply markup error, worded as the server words it (first letter as in source)."""


def _button_text(button: Mapping[str, Any]) -> str:
    if "text" not in button:
        raise _MarkupError('Can\'t find field "text"')
    text = button["text"]
    if isinstance(text, int | float) and not isinstance(text, bool):
        return json.dumps(text)
    if not isinstance(text, str):
        raise _MarkupError('Field "text" must be of type String')
    return text


def _is_action_present(button: Mapping[str, Any], action: str) -> bool:
    if action not in button:
        return False
    if action in _ACTIONS_THAT_MUST_BE_NON_EMPTY:
        return button[action] not in ("", None)
    return True


def inline_button_actions(button: Mapping[str, Any]) -> list[str]:
    """The action fields set on an inline button, in the server's order of preference."""
    return [action for action in INLINE_BUTTON_ACTIONS if _is_action_present(button, action)]


def _check_inline_button_shape(button: Any) -> None:
    if not isinstance(button, dict):
        raise _MarkupError("InlineKeyboardButton must be an Object")
    _button_text(button)
    for action in ("url", "callback_data"):
        value = button.get(action)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if value is not None and not isinstance(value, str) and not is_number:
            raise _MarkupError(f'Field "{action}" must be of type String')
    if not inline_button_actions(button):
        raise _MarkupError("Text buttons are unallowed in the inline keyboard")


def _check_keyboard_button_shape(button: Any) -> None:
    if isinstance(button, str):
        return
    if not isinstance(button, dict):
        raise _MarkupError("KeyboardButton must be a String or an Object")
    _button_text(button)


def _check_rows(
    rows: Any, field_name: str, type_name: str, check_button: Callable[[Any], None], kind: str
) -> None:
    if not isinstance(rows, list):
        raise bad_request(f'field "{field_name}" of the {type_name} must be an Array')
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(
                f'field "{field_name}" of the {type_name} must be an Array of Arrays'
            )
        for button in row:
            try:
                check_button(button)
            except _MarkupError as error:
                raise bad_request(f"can't parse {kind} button: {error}") from error


_MARKUP_BOOLEANS = {
    "resize_keyboard": 'field "resize_keyboard" of the ReplyKeyboardMarkup',
    "one_time_keyboard": 'field "one_time_keyboard" of the ReplyKeyboardMarkup',
    "is_persistent": 'field "is_persistent" of the ReplyKeyboardMarkup',
    "remove_keyboard": 'field "remove_keyboard" of the ReplyKeyboardRemove',
    "selective": 'field "selective" of the reply markup',
    "force_reply": 'field "force_reply" of the reply markup',
}


def check_reply_markup_shape(markup: Any) -> None:
    """The checks the Bot API server makes while reading reply_markup (before Telegram's
    own limits): object shape, arrays of arrays, button fields, text-only inline buttons."""
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "keyboard" in markup:
        _check_rows(
            markup["keyboard"],
            "keyboard",
            "ReplyKeyboardMarkup",
            _check_keyboard_button_shape,
            "keyboard",
        )
    if "inline_keyboard" in markup:
        _check_rows(
            markup["inline_keyboard"],
            "inline_keyboard",
            "InlineKeyboardMarkup",
            _check_inline_button_shape,
            "inline keyboard",
        )
    for name, wording in _MARKUP_BOOLEANS.items():
        if name in markup and not isinstance(markup[name], bool):
            raise bad_request(f"{wording} must be of the type Boolean")


def _markup_size(markup: Mapping[str, Any]) -> int:
    return len(json.dumps(markup, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _check_inline_button_limits(button: Mapping[str, Any], *, strict: bool) -> None:
    actions = inline_button_actions(button)
    if strict and len(actions) > 1:
        # Sandbox-only: the real server silently uses the first action. Wording is ours.
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be "
            f"used, found {', '.join(actions)}"
        )
    action = actions[0]
    if action == "callback_data":
        data = _json_scalar_text(button["callback_data"])
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url":
        url = _json_scalar_text(button["url"])
        if not get_link_user_id(url):
            try:
                check_link(url)
            except LinkError as error:
                raise bad_request(
                    f"inline keyboard button URL '{url}' is invalid: {error}"
                ) from error


def check_reply_markup(markup: dict[str, Any] | None, *, strict: bool = False) -> None:
    """Telegram's checks of a decoded reply_markup: the server's shape checks (see
    check_reply_markup_shape), then callback_data ≤ 64 UTF-8 bytes ("BUTTON_DATA_INVALID"),
    valid button URLs and the overall size ("reply markup is too long": more than 100
    inline / 300 reply buttons or more than 10 KB of JSON). With `strict`, an inline
    button with more than one action is refused too (the real server takes the first)."""
    if markup is None:
        return
    check_reply_markup_shape(markup)
    inline_rows = markup.get("inline_keyboard") or []
    reply_rows = markup.get("keyboard") or []
    for row in inline_rows:
        for button in row:
            _check_inline_button_limits(button, strict=strict)
    inline_count = sum(len(row) for row in inline_rows)
    reply_count = sum(len(row) for row in reply_rows)
    if (
        inline_count > MAX_INLINE_BUTTONS
        or reply_count > MAX_REPLY_BUTTONS
        or _markup_size(markup) > MAX_REPLY_MARKUP_BYTES
    ):
        raise bad_request("reply markup is too long")


# ---------------------------------------------------------------------------------------
# Text and entities
# ---------------------------------------------------------------------------------------

_PARSERS: dict[str, Callable[[str], tuple[str, list[Entity]]]] = {
    "html": parse_html_entities,
    "markdownv2": parse_markdown_v2_entities,
    "markdown": parse_markdown_entities,
}


def _lower_first(message: str) -> str:
    """The server lower-cases a message's first letter unless it is an UPPER_CASE code."""
    if len(message) >= 2 and (message[1] == "_" or message[1].isupper()):
        return message
    return message[:1].lower() + message[1:]


def _has_lone_surrogates(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def _entity_from_api(raw: Any) -> Entity | None:
    """An explicit MessageEntity dict as TDLib sees it; None for kinds a bot cannot set
    (mention, url, ...: Telegram finds those itself)."""
    entity = check_object("MessageEntity", raw)
    kind_name = entity["type"]
    try:
        kind = Kind(kind_name)
    except ValueError:
        raise _ShapeError("MessageEntity", "Unsupported type specified") from None
    if kind is Kind.PRE_CODE:  # the parser's internal name, not a Bot API type
        raise _ShapeError("MessageEntity", "Unsupported type specified")
    if kind not in USER_KINDS:
        return None
    result = Entity(kind, entity["offset"], entity["length"])
    if kind is Kind.TEXT_LINK:
        result.argument = _checked_entity_url(entity.get("url", ""))
    elif kind is Kind.TEXT_MENTION:
        result.user_id = int(entity.get("user", {}).get("id", 0))
    elif kind is Kind.CUSTOM_EMOJI:
        result.argument = _checked_custom_emoji_id(entity.get("custom_emoji_id", ""))
    elif kind is Kind.PRE and entity.get("language"):
        result.kind, result.argument = Kind.PRE_CODE, entity["language"]
    elif kind is Kind.DATE_TIME:
        result.unix_time = int(entity.get("unix_time", 0))
        result.argument = entity.get("date_time_format", "")
    return result


def _checked_entity_url(url: str) -> str:
    if get_link_user_id(url):
        return url
    try:
        return check_link(url)
    except LinkError as error:
        raise ApiError(400, f"Bad Request: entity URL '{url}' is invalid: {error}") from error


def _checked_custom_emoji_id(value: str) -> str:
    if not re.fullmatch(r"-?[0-9]+", value) or int(value) == 0:
        raise bad_request("invalid custom emoji identifier specified")
    return value


def _explicit_entities(entities: list[Any] | None) -> list[Entity]:
    result = []
    for raw in entities or []:
        try:
            entity = _entity_from_api(raw)
        except _ShapeError as error:
            raise bad_request(f"can't parse MessageEntity: {error.detail}") from error
        if entity is not None:
            result.append(entity)
    return result


def _parse_text(
    text: str, parse_mode: str | None, entities: list[Any] | None
) -> tuple[str, list[Entity]]:
    mode = (parse_mode or "").lower()
    if not mode or mode == "none":
        return text, _explicit_entities(entities)
    parser = _PARSERS.get(mode)
    if parser is None:
        raise bad_request("unsupported parse_mode")
    try:
        return parser(text)
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error.detail}") from error
    except FormattingError as error:
        raise bad_request(_lower_first(error.detail)) from error


def format_text(
    text: str | None,
    parse_mode: str | None,
    entities: list[Any] | None,
    *,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """The text and MessageEntity dicts Telegram would store for a message text (or, with
    `caption`, a media caption). `parse_mode` wins over `entities`, as on the real server.

    Errors, in the real order: missing text "message text is empty" (a missing caption is
    fine: ("", [])); more than 32768 bytes "text is too long"; unknown parse_mode
    "unsupported parse_mode"; bad markup "can't parse entities: ..."; nothing left after
    parsing and trimming "text must be non-empty"; more than 4096 (caption: 1024) Unicode
    characters "message is too long" / "message caption is too long"."""
    if not text:
        if caption:
            return "", []
        raise bad_request("message text is empty")
    if _has_lone_surrogates(text):
        raise bad_request("strings must be encoded in UTF-8")  # wording: a guess
    if len(text.encode("utf-8")) > MAX_RAW_TEXT_BYTES:
        raise bad_request("text is too long")
    plain, parsed = _parse_text(text, parse_mode, entities)
    try:
        plain, fixed = fix_formatted_text(plain, parsed, allow_empty=caption)
    except FormattingError as error:
        raise bad_request(_lower_first(error.detail)) from error
    if caption and len(plain) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    if not caption and len(plain) > MAX_MESSAGE_LENGTH:
        raise bad_request("message is too long")
    return plain, entities_to_dicts(fixed)


# ---------------------------------------------------------------------------------------
# Commands and callback answers
# ---------------------------------------------------------------------------------------

_TD_WHITESPACE = " \t\r\n\v\f\0"


def _command_parts(command: Any) -> tuple[str, str]:
    if not isinstance(command, Mapping):
        raise bad_request("can't parse BotCommand: Object expected")  # wording: a guess
    name = _json_scalar_text(command.get("command", "")).strip(_TD_WHITESPACE)
    description = _json_scalar_text(command.get("description", "")).strip(_TD_WHITESPACE)
    return name.removeprefix("/"), description


def check_bot_commands(commands: list[Any]) -> None:
    """setMyCommands: first TDLib's checks of every command (non-empty, ≤ 32 characters
    after trimming and dropping one leading '/', description 1–256), then Telegram's:
    at most 100 commands ("BOT_COMMANDS_TOO_MUCH") and only a-z, 0-9 and _ in a command
    ("BOT_COMMAND_INVALID")."""
    parts = [_command_parts(command) for command in commands]
    for name, description in parts:
        if not name:
            raise bad_request("command must be non-empty")
        if len(name) > MAX_COMMAND_LENGTH:
            raise bad_request(f"command length must not exceed {MAX_COMMAND_LENGTH}")
        if not description:
            raise bad_request("command description must be non-empty")
        if len(description) > MAX_COMMAND_DESCRIPTION_LENGTH:
            raise bad_request(
                f"command description length must not exceed {MAX_COMMAND_DESCRIPTION_LENGTH}"
            )
    if len(parts) > MAX_BOT_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")  # Telegram's error name; not observed
    for name, _ in parts:
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise bad_request("BOT_COMMAND_INVALID")


def check_callback_answer_text(text: str | None) -> None:
    """answerCallbackQuery text: at most 200 characters. The error Telegram gives is not
    documented; "MESSAGE_TOO_LONG" (its name for over-long texts) is an educated guess."""
    if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")


# ---------------------------------------------------------------------------------------
# validate_call
# ---------------------------------------------------------------------------------------

# Parameters the documentation marks required but the server does without: setWebhook
# with an empty url removes the webhook.
_NOT_REALLY_REQUIRED = frozenset({("setWebhook", "url")})
# JSON parameters whose "can't parse ... JSON object" text names them differently.
_JSON_PARAM_WORDS = {"reply_markup": "reply keyboard markup"}
_MEDIA_METHODS_PREFIX = "send"


def _is_absent(value: Any) -> bool:
    return value is None or value == ""


def _missing_parameter(method: str, field: FieldSpec) -> ApiError:
    name = field.name
    if name == "text" and method in ("sendMessage", "editMessageText"):
        return bad_request("message text is empty")
    if name == "chat_id":
        return bad_request("chat_id is empty")
    if name == "message_id":
        return bad_request("message identifier is not specified")
    if name == "action" and method == "sendChatAction":
        return bad_request("wrong parameter action in request")
    if "InputFile" in field.types and method.startswith(_MEDIA_METHODS_PREFIX):
        return bad_request(f"there is no {name} in the request")
    return bad_request(f'parameter "{name}" is required')


def _resolve_attachment(value: Any, raw: Mapping[str, Any]) -> Any:
    """`attach://<name>` refers to the multipart part <name>; without it, nothing is sent."""
    if isinstance(value, str) and value.startswith("attach://"):
        part = raw.get(value[len("attach://") :])
        return part if isinstance(part, UploadedFile) else None
    return value


def _present_value(field: FieldSpec, raw: Mapping[str, Any]) -> Any:
    value = raw.get(field.name)
    if _is_absent(value):
        return None
    if "InputFile" in field.types:
        return _resolve_attachment(value, raw)
    if isinstance(value, UploadedFile):
        return None  # a file part under a non-file name is not a parameter value
    return value


def _json_words(name: str) -> str:
    return _JSON_PARAM_WORDS.get(name, name.replace("_", " "))


def _decode_json(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # came in a JSON body: already decoded
    try:
        return json.loads(value)
    except ValueError:
        raise bad_request(f"can't parse {_json_words(name)} JSON object") from None


def _decode_scalar(types: tuple[str, ...], value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return value
    if set(types) == {"Integer", "String"}:
        return integer_or_string(value)
    decoders: dict[str, Callable[[Any], Any]] = {
        "Integer": to_integer,
        "Float": to_float,
        "Boolean": to_bool,
    }
    decoder: Callable[[Any], Any] = decoders.get(types[0], _json_scalar_text)
    return decoder(value)


def _shape_mismatch_error(name: str, types: tuple[str, ...]) -> ApiError:
    item_type = _array_item_type(types[0])
    if item_type is not None:
        return bad_request(f"expected an Array of {item_type}")  # wording: a guess
    return bad_request(f"object expected as {_json_words(name)}")  # wording: a guess


def _decode_structured(name: str, types: tuple[str, ...], value: Any) -> Any:
    decoded = _decode_json(name, value)
    if name == "reply_markup":
        check_reply_markup_shape(decoded)
        return decoded
    expects_array = _array_item_type(types[0]) is not None
    if expects_array != isinstance(decoded, list) or not isinstance(decoded, list | dict):
        raise _shape_mismatch_error(name, types)
    try:
        return _check_typed(name, name, types, decoded)
    except _ShapeError as error:
        raise bad_request(f"can't parse {error.owner}: {error.detail}") from error


def _decode_param(field: FieldSpec, value: Any) -> Any:
    if all(type_name in PRIMITIVE_TYPES for type_name in field.types):
        return _decode_scalar(field.types, value)
    return _decode_structured(field.name, field.types, value)


def _ordered_params(spec: MethodSpec) -> list[FieldSpec]:
    # schema.json keeps parameters sorted by name; the server looks at the chat first.
    return sorted(spec.params.values(), key=lambda f: (f.name != "chat_id", f.name))


def _check_edit_target(spec: MethodSpec, params: Mapping[str, Any]) -> None:
    """Edits address either inline_message_id or chat_id + message_id (all optional in the
    docs); without an inline message the other two become necessary."""
    names = {"inline_message_id", "chat_id", "message_id"}
    if not names <= spec.params.keys() or "inline_message_id" in params:
        return
    if "chat_id" not in params:
        raise bad_request("chat_id is empty")
    if "message_id" not in params:
        raise bad_request("message identifier is not specified")


def _clamp_get_updates(params: dict[str, Any]) -> None:
    params["limit"] = min(max(params.get("limit", 100), 1), 100)
    params["timeout"] = min(max(params.get("timeout", 0), 0), 50)


def validate_call(method: str, raw: Mapping[str, RawValue]) -> tuple[str, dict[str, Any]]:
    """Check one call: `raw` holds the request's parameters as strings or UploadedFile parts
    (or, from a JSON body, already decoded values). Returns the canonical method name and
    the decoded parameters: Integer → int, Boolean → bool, objects and arrays → dicts and
    lists checked against the schema, files → UploadedFile (`attach://x` resolved).
    getUpdates always gets `limit` (1–100, default 100) and `timeout` (0–50, default 0).

    Raises ApiError: 404 "Not Found" for an unknown method, 400 for a missing required
    parameter or a value that cannot be used."""
    spec = get_schema().method(method)
    if spec is None:
        raise not_found()
    params: dict[str, Any] = {}
    for field in _ordered_params(spec):
        value = _present_value(field, raw)
        if value is None:
            if field.required and (spec.name, field.name) not in _NOT_REALLY_REQUIRED:
                raise _missing_parameter(spec.name, field)
            continue
        params[field.name] = _decode_param(field, value)
    _check_edit_target(spec, params)
    if spec.name == "getUpdates":
        _clamp_get_updates(params)
    return spec.name, params
