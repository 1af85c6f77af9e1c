"""The command line as an operator uses it."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from tests.servers import sandbox_url_in


def sourcing_guard(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**clean, **env},
        check=False,
    )


def test_migrate_creates_the_database_under_data(tmp_path: Path) -> None:
    result = sourcing_guard("migrate", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    database = tmp_path / "data" / "sourcing-guard.db"
    tables = sqlite3.connect(database).execute("select name from sqlite_master").fetchall()
    assert ("users",) in tables
    # Only the bot's own system user may read what users told it.
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_run_without_a_token_explains_how_to_get_one(tmp_path: Path) -> None:
    result = sourcing_guard("run", cwd=tmp_path)

    assert result.returncode == 2
    assert "@BotFather" in result.stderr


def test_webhook_mode_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    result = sourcing_guard(
        "run",
        "--webhook",
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN="123:abc",
        WEBHOOK_URL="https://example.invalid/hook",
    )

    assert result.returncode == 2
    assert "WEBHOOK_SECRET" in result.stderr


def test_webhook_mode_refuses_a_secret_telegram_would_reject(tmp_path: Path) -> None:
    result = sourcing_guard(
        "run",
        "--webhook",
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN="123:abc",
        WEBHOOK_URL="https://example.invalid/hook",
        WEBHOOK_SECRET="has spaces and $ signs",
    )

    assert result.returncode == 2
    assert "WEBHOOK_SECRET must be 1-256 characters" in result.stderr


def test_listen_and_port_need_webhook_mode(tmp_path: Path) -> None:
    result = sourcing_guard("run", "--port", "8443", cwd=tmp_path, TELEGRAM_BOT_TOKEN="123:abc")

    assert result.returncode == 2
    assert "add --webhook" in result.stderr


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = sourcing_guard("--help", cwd=tmp_path)

    assert result.returncode == 0
    for command in ("run", "chat", "sandbox", "migrate"):
        assert command in result.stdout


async def plain_program(base_url: str) -> None:
    """What any python-telegram-bot program does, with two mistakes Telegram rejects."""
    bot = Bot("555:plain-program-token", base_url=base_url)
    async with bot:
        assert (await bot.get_me()).is_bot
        with pytest.raises(BadRequest, match='unsupported start tag "" at byte offset 2'):
            await bot.send_message(42, "a < b", parse_mode="HTML")
        oversized = InlineKeyboardButton("b", callback_data="x" * 65)
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(42, "x", reply_markup=InlineKeyboardMarkup([[oversized]]))


def test_a_plain_ptb_program_gets_telegrams_errors_from_the_sandbox_command(
    tmp_path: Path,
) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = None
        while base_url is None:
            banner = server.stdout.readline()
            assert banner, "the sandbox exited before listening"
            base_url = sandbox_url_in(banner)
        asyncio.run(plain_program(f"{base_url}/bot"))
    finally:
        server.terminate()
        server.wait(timeout=10)
