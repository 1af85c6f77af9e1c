"""`python -m bot chat`, piped, as a newcomer would first run it."""

from __future__ import annotations

import getpass
import io
import os
import queue
import re
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.cli.chat import SANDBOX_TOKEN, Transcript, alert_box, user_name
from bot.sandbox.server import Sandbox

# The bot runs in another process, on the machine's clock.
pytestmark = pytest.mark.process


def chat_env(tmp_path: Path, login: str | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "OPENAI_"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    env["PYTHONIOENCODING"] = "utf-8"
    if login is not None:
        # getpass.getuser() reads LOGNAME first: the system user, as the chat sees it.
        env["LOGNAME"] = login
    return env


def run_chat(
    lines: str, tmp_path: Path, *options: str, login: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *options],
        input=lines,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=chat_env(tmp_path, login),
        check=False,
    )


class LiveChat:
    """`python -m bot chat` with a pipe for stdin, driven a line at a time: each step waits
    for the output it expects, and buttons are pressed by their label, not a fixed number."""

    def __init__(self, tmp_path: Path) -> None:
        # A file, not a pipe nobody reads: a chatty log can never stall the chat.
        self.log = (tmp_path / "stderr.txt").open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            encoding="utf-8",
            cwd=tmp_path,
            env=chat_env(tmp_path),
        )
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def says(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, text: str, timeout: float = 60) -> str:
        """The next output line holding `text`; the lines before it are passed over."""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {text!r} within {timeout} s: {self.output}") from None
            if line is None:
                raise AssertionError(f"the chat ended without {text!r}: {self.output}")
            self.output.append(line)
            if text in line:
                return line

    def presses(self, label: str) -> None:
        """Waits for the button labelled `label` and presses it by its number."""
        line = self.expect(f"] {label}")
        number = re.search(rf"\[(\d+)\] {re.escape(label)}", line)
        assert number is not None, line
        self.says(number[1])

    def finish(self) -> None:
        """Once the process has ended: its output is read to the end, its files closed."""
        self._reader.join(timeout=60)
        assert self.process.stdout is not None
        self.process.stdout.close()
        self.log.close()

    def close(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        return self.process.wait(timeout=60)


@pytest.fixture
def live_chat(tmp_path: Path) -> Iterator[LiveChat]:
    chat = LiveChat(tmp_path)
    yield chat
    if chat.process.poll() is None:
        chat.process.kill()
        chat.process.wait()
    chat.finish()


def test_piped_start_and_help_print_the_welcome_and_the_help(tmp_path: Path) -> None:
    result = run_chat("/start\n/help\n", tmp_path)

    assert result.returncode == 0, result.stderr
    assert "I'm Sourcing Guard" in result.stdout
    assert "How I can help" in result.stdout
    assert result.stdout.index("Sourcing Guard") < result.stdout.index("How I can help")


def test_buttons_are_numbered_and_press_taps_them(tmp_path: Path) -> None:
    result = run_chat("/timezone\n/press 3\n", tmp_path)

    assert result.returncode == 0, result.stderr
    assert "[1] Beijing" in result.stdout
    assert "[3] Berlin" in result.stdout
    assert "Time zone set to Europe/Berlin" in result.stdout


def test_no_token_means_chat_and_the_token_is_never_printed(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input="/start\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "", "DATABASE_URL": "sqlite:///chat.db"},
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Sourcing Guard" in result.stdout
    assert "sandbox-terminal-chat-token" not in result.stdout + result.stderr


def test_a_copy_button_shows_what_it_copies(tmp_path: Path) -> None:
    result = run_chat("/pay 请转到我私人账户，便宜5%\n/press 1\n", tmp_path)

    assert result.returncode == 0, result.stderr
    assert "(copied to the clipboard: 您好" in result.stdout


# -- what Telegram shows besides messages: toasts, alerts, the user's name ----------------


def test_a_snooze_press_shows_its_toast(live_chat: LiveChat) -> None:
    # Two hours left: the bot warns at once, with the snooze buttons.
    live_chat.says("/track 2h cups")
    live_chat.expect("the escrow will release your money")
    live_chat.presses("⏰ In 3 h")

    live_chat.expect("(toast: I'll remind you again in 3 h.)")
    assert live_chat.close() == 0


def test_an_extension_shows_its_toast_after_yes_only(live_chat: LiveChat) -> None:
    live_chat.says("/track 6d 23h lamps")
    live_chat.presses("延长收货 +3d")
    live_chat.presses("✅ Yes, +3 days")

    toast = live_chat.expect("(toast:")
    assert toast == "(toast: Deadline moved by 3 days.)", "plain text when not a terminal"
    before_yes = live_chat.output[: live_chat.output.index(toast)]
    assert sum("(toast:" in line for line in before_yes) == 0, "a silent answer shows nothing"
    assert live_chat.close() == 0


async def test_an_alert_is_drawn_as_a_box_and_a_toast_dim_in_a_terminal(
    sandbox: Sandbox,
) -> None:
    # No button of an ordinary chat leads to an alert (the bot edits stale keyboards
    # away): a plain bot answers presses here, and the transcript reads the sandbox.
    user = 7_000_001
    sandbox.world.private_chat(
        sandbox.world.upsert_user(user, first_name="Olga", language_code="en", username=None)
    )
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label)] for label in ("a", "b", "c", "d")]
    )
    out = io.StringIO()
    transcript = Transcript(out, colour=True)
    async with Bot(SANDBOX_TOKEN, base_url=sandbox.api_base_url) as bot:
        message = await bot.send_message(user, "Pick one", reply_markup=keyboard)
        presses = []
        for index in range(4):
            update = await sandbox.press_button(user, message.message_id, button_index=index)
            presses.append(str(update["callback_query"]["id"]))
        transcript.pending_presses = list(presses)
        await bot.answer_callback_query(
            presses[0], "This button is no longer valid.", show_alert=True
        )
        await bot.answer_callback_query(presses[1], "Thank you – noted.")
        await bot.answer_callback_query(presses[2])

        transcript.show_answers(sandbox.callback_answer)

    box, toast, rest = out.getvalue().split("\n\n")
    assert box.splitlines() == [
        "┌─ alert ─────────────────────────┐",
        "│ This button is no longer valid. │",
        "└─────────────────────────────────┘",
    ]
    assert toast == "\033[2m(toast: Thank you – noted.)\033[0m", "dim in a terminal"
    assert rest == "", "a silent answer shows nothing"
    assert transcript.pending_presses == [presses[3]], "unanswered yet: shown when it is"


def test_an_alert_box_fits_wide_characters_and_wraps_long_text() -> None:
    lines = alert_box("请勿付款到私人账户。" + " Pay only in the 1688 checkout." * 4).splitlines()

    def columns(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)

    assert len({columns(line) for line in lines}) == 1, lines
    assert len(lines) > 3, "wrapped"


def test_name_greets_the_user_by_it(tmp_path: Path) -> None:
    result = run_chat("/start\n", tmp_path, "--name", "Olga")

    assert result.returncode == 0, result.stderr
    assert "Hi Olga, I'm Sourcing Guard" in result.stdout


def test_without_a_name_the_system_user_is_greeted(tmp_path: Path) -> None:
    result = run_chat("/start\n", tmp_path, login="mirela")

    assert result.returncode == 0, result.stderr
    assert "Hi Mirela, I'm Sourcing Guard" in result.stdout


def test_a_login_that_is_no_persons_name_gives_a_real_looking_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for login, name in [("ivan.petrov", "Ivan"), ("jdoe42", "Jdoe"), ("root", "Buyer")]:
        monkeypatch.setattr(getpass, "getuser", lambda login=login: login)
        assert user_name() == name

    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert user_name() == "Buyer"
    assert user_name("  Olga ") == "Olga"
