"""The command line as an operator uses it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


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


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = sourcing_guard("--help", cwd=tmp_path)

    assert result.returncode == 0
    for command in ("run", "chat", "sandbox", "migrate"):
        assert command in result.stdout
