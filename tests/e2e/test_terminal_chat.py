"""`python -m bot chat`, piped, as a newcomer would first run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The bot runs in another process, on the machine's clock.
pytestmark = pytest.mark.process


def run_chat(lines: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "OPENAI_"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
        check=False,
    )


def test_piped_start_and_help_print_the_welcome_and_the_help(tmp_path: Path) -> None:
    result = run_chat("/start\n/help\n", tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Hi there, I'm Sourcing Guard" in result.stdout
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
