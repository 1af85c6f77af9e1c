"""`python -m bot chat`: talk to the bot in a terminal through the in-process sandbox.

Reads lines from stdin (a person typing, or a pipe), sends each as the user's message,
waits for the bot's replies to settle and prints them. `/press N` (or just `N`) taps button
N of the last keyboard; `/photo PATH` sends a picture; `/forward TEXT` forwards a message
as if from a supplier. End of input (Ctrl-D) exits with status 0.

What Telegram shows besides messages is shown too: a press's toast (answerCallbackQuery
text) as a `(toast: …)` line, an alert (show_alert) as a box. The user has a name, from
`--name` or the system user, so the bot greets them as Telegram would.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import re
import sys
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from bot.app import build_application
from bot.config import Settings
from bot.runtime.polling import polling
from bot.sandbox.server import RecordedCall, Sandbox, StoredMessage

CHAT_USER_ID = 7_000_001
# How long the chat waits for a first answer before showing the bot as silent.
ANSWER_TIMEOUT_SECONDS = 15.0
# The bot may send more on its own right after an answer (the warning /track gives for a
# deadline already close): a moment of quiet lets it show up with the answer it follows.
QUIET_SECONDS = 0.3
# The user's first name when neither --name nor the system user gives a person's name.
FALLBACK_NAME = "Buyer"
# Accounts, not people: "Hi Root" would read oddly in the greeting.
_ACCOUNT_NAMES = frozenset({"root", "nobody", "user", "admin", "ubuntu"})
# Telegram's limit on a first name.
_NAME_MAX = 64
# An alert's text (up to 200 characters) is wrapped to this many columns inside its box.
_ALERT_COLUMNS = 56
# The sandbox accepts any well-formed token; this one never leaves the process.
SANDBOX_TOKEN = "7000000000:sandbox-terminal-chat-token-not-a-secret"
_PRESS = re.compile(r"^(?:/press\s+)?(\d{1,2})$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_BOLD, _RESET, _DIM = "\033[1m", "\033[0m", "\033[2m"


@dataclass
class Transcript:
    """Prints what the bot sent that has not been printed yet, in its latest form."""

    out: TextIO
    colour: bool
    printed: dict[int, str] = field(default_factory=dict)
    keyboard: StoredMessage | None = None
    # Presses (callback query ids) whose answer has not been shown yet.
    pending_presses: list[str] = field(default_factory=list)

    def show_answers(self, answer_of: Callable[[str], dict[str, Any] | None]) -> None:
        """The toast or alert the bot answered each press with (`answer_of` a press's id:
        `Sandbox.callback_answer`), once, in press order."""
        waiting = []
        for query_id in self.pending_presses:
            answer = answer_of(query_id)
            if answer is None:
                # Not answered yet: it may still be, during the next step.
                waiting.append(query_id)
            elif answer.get("text"):
                text = str(answer["text"])
                if answer.get("show_alert"):
                    self.out.write(alert_box(text) + "\n\n")
                else:
                    self.out.write(self._dim(f"(toast: {text})") + "\n\n")
        self.pending_presses = waiting
        self.out.flush()

    def _dim(self, text: str) -> str:
        return f"{_DIM}{text}{_RESET}" if self.colour else text

    def show_new(self, messages: list[StoredMessage]) -> None:
        for message in messages:
            rendered = render(message, colour=self.colour)
            if self.printed.get(message.message_id) == rendered:
                continue
            edited = message.message_id in self.printed
            self.printed[message.message_id] = rendered
            marker = " (edited)" if edited else ""
            self.out.write(f"bot{marker} › {rendered}\n\n")
            if message.inline_buttons():
                self.keyboard = message
        self.out.flush()


def alert_box(text: str) -> str:
    """An alert as a box drawn with box characters, as the client's modal dialog."""
    lines = [
        wrapped
        for paragraph in text.splitlines() or [""]
        for wrapped in textwrap.wrap(paragraph, _ALERT_COLUMNS) or [""]
    ]
    inner = max(_columns(line) for line in lines)
    title = " alert "
    inner = max(inner, len(title) + 1)
    top = "┌─" + title + "─" * (inner - len(title)) + "─┐"
    body = [f"│ {line}{' ' * (inner - _columns(line))} │" for line in lines]
    bottom = "└" + "─" * (inner + 2) + "┘"
    return "\n".join([top, *body, bottom])


def _columns(text: str) -> int:
    """Terminal columns of `text`: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def user_name(given: str | None = None) -> str:
    """The chat user's first name: `--name` when given, else the system user's, else
    "Buyer" (for a login that is no person's name, such as root)."""
    if given and given.strip():
        return given.strip()[:_NAME_MAX]
    try:
        login = getpass.getuser()
    except (OSError, KeyError, ImportError):
        return FALLBACK_NAME
    first = _FIRST_WORD.search(login)
    if first is None or first[0].lower() in _ACCOUNT_NAMES:
        return FALLBACK_NAME
    return first[0].capitalize()[:_NAME_MAX]


def render(message: StoredMessage, *, colour: bool) -> str:
    """Terminal text for a bot message: bold kept (in colour terminals), links spelled out,
    buttons listed with the numbers `/press` takes."""
    body = _apply_entities(message.text or message.caption or "", message.entities, colour)
    lines = [body.replace("\n", "\n      ")]
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    number = 0
    for row in rows:
        labels = []
        for button in row:
            number += 1
            labels.append(f"[{number}] {button['text']}")
        lines.append("      " + "   ".join(labels))
    return "\n".join(lines)


def _apply_entities(text: str, entities: list[dict[str, object]], colour: bool) -> str:
    # Entity offsets count UTF-16 code units; work on the UTF-16 form to insert markers.
    units = text.encode("utf-16-le")
    inserts: list[tuple[int, str]] = []
    for entity in entities:
        start, length = int(str(entity["offset"])), int(str(entity["length"]))
        kind = entity.get("type")
        if kind == "text_link":
            inserts.append((start + length, f" ({entity.get('url')})"))
        elif colour and kind in ("bold", "code", "pre"):
            inserts.append((start, _BOLD))
            inserts.append((start + length, _RESET))
    for position, marker in sorted(inserts, key=lambda item: item[0], reverse=True):
        cut = position * 2
        units = units[:cut] + marker.encode("utf-16-le") + units[cut:]
    return units.decode("utf-16-le")


async def chat(
    settings: Settings,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    *,
    name: str | None = None,
) -> int:
    """Run the sandbox and the bot in this process and relay stdin/stdout until EOF."""
    interactive = stdin.isatty()
    sandbox = Sandbox()
    await sandbox.start()
    # Known before the first line, so a photo or a forward sent first carries the name too.
    sandbox.world.upsert_user(
        CHAT_USER_ID, first_name=user_name(name), language_code="en", username=None
    )
    bot_settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(SANDBOX_TOKEN),
            "telegram_api_base_url": sandbox.base_url,
        }
    )
    transcript = Transcript(out, colour=interactive and out.isatty())
    try:
        async with polling(build_application(bot_settings), timeout=1):
            if interactive:
                print(_INTRO, file=sys.stderr)
            await _relay(sandbox, transcript, stdin, interactive)
    finally:
        await sandbox.stop()
    return 0


_INTRO = (
    "Chatting with Sourcing Guard through the local sandbox (no Telegram needed).\n"
    "Type a message, or /press N to tap button N. Ctrl-D to leave.\n"
)


async def _relay(sandbox: Sandbox, transcript: Transcript, stdin: TextIO, echo: bool) -> None:
    while True:
        if echo:
            print("you › ", end="", flush=True, file=sys.stderr)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        if not echo:
            transcript.out.write(f"you › {text}\n")
        before = len(sandbox.calls)
        if await _send(sandbox, transcript, text):
            await _wait_for_an_answer(sandbox, before)
        await sandbox.wait_until_settled(quiet=QUIET_SECONDS)
        # A toast shows over the chat the moment the button is answered, before its edit.
        transcript.show_answers(sandbox.callback_answer)
        transcript.show_new(sandbox.bot_messages(CHAT_USER_ID))


async def _wait_for_an_answer(sandbox: Sandbox, after_call: int) -> None:
    """Until the bot first replies (it replies to every message and button press).

    Quiet alone is not proof: on a busy machine the bot may spend longer than the quiet
    window in its database before its first call, and the reply would miss the transcript.
    """

    def answered() -> bool | None:
        return any(_is_reply(call) for call in sandbox.calls[after_call:]) or None

    # A bot that stays silent is shown as silent, not as a crash.
    with contextlib.suppress(TimeoutError):
        await sandbox.wait_for(answered, timeout=ANSWER_TIMEOUT_SECONDS)


def _is_reply(call: RecordedCall) -> bool:
    if call.method == "answerCallbackQuery":
        # A silent acknowledgement only stops the button's spinner; the reply follows.
        return bool(call.params.get("text"))
    return call.method.startswith(("send", "edit")) and call.method != "sendChatAction"


async def _send(sandbox: Sandbox, transcript: Transcript, text: str) -> bool:
    """Act on one line; True when it reached the bot (False: handled here, e.g. a copy)."""
    press = _PRESS.match(text)
    if press and transcript.keyboard is not None:
        return await _press(sandbox, transcript, int(press[1]))
    if text.startswith("/photo "):
        path = text.removeprefix("/photo ").strip()
        try:
            data = await asyncio.to_thread(_read_file, path)
        except OSError as error:
            transcript.out.write(f"(cannot read {path}: {error.strerror})\n")
            return False
        await sandbox.send_photo(CHAT_USER_ID, data)
    elif text.startswith("/forward "):
        await sandbox.send_forward(CHAT_USER_ID, text.removeprefix("/forward "))
    else:
        user = sandbox.world.users[CHAT_USER_ID]
        await sandbox.send_text(CHAT_USER_ID, text, first_name=user.first_name)
    return True


def _read_file(path: str) -> bytes:
    return Path(path).expanduser().read_bytes()


async def _press(sandbox: Sandbox, transcript: Transcript, number: int) -> bool:
    keyboard = transcript.keyboard
    assert keyboard is not None
    buttons = keyboard.inline_buttons()
    if not 1 <= number <= len(buttons):
        transcript.out.write(f"(there is no button {number} on the last keyboard)\n")
        return False
    button = buttons[number - 1]
    # Buttons without callback data act in the client, not in the bot.
    if "copy_text" in button:
        transcript.out.write(f"(copied to the clipboard: {button['copy_text']['text']})\n\n")
        return False
    if "url" in button:
        transcript.out.write(f"(opens {button['url']})\n\n")
        return False
    try:
        update = await sandbox.press_button(
            CHAT_USER_ID, keyboard.message_id, button_index=number - 1
        )
    except LookupError:
        transcript.out.write("(that keyboard is gone: the message was deleted)\n")
        return False
    transcript.pending_presses.append(str(update["callback_query"]["id"]))
    return True
