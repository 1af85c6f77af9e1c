"""Settings from the environment and `.env`, the one place configuration is read."""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.util import asbool

from bot.domain.disputes import SELLER_RESPONSE_DAYS

# The project is installed editable (migrations, prompts and guides are read from the
# checkout): the repository root is one level above the `bot` package.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org"
DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///data/sourcing-guard.db"
DEFAULT_KUAIDI100_BASE_URL = "https://poll.kuaidi100.com"
# What the push salt is derived from when KUAIDI100_SALT is not set (HMAC of the key).
_SALT_LABEL = b"sourcing-guard kuaidi100 push salt v1"


def sqlite_file(database_url: str | URL) -> Path | None:
    """The file a SQLite URL opens, as an absolute path (symlinks not yet resolved); None
    for another database or an in-memory one.

    Read as SQLAlchemy hands the URL to sqlite3: the query string holds driver options
    (`?timeout=30`), never part of the name; with `uri=true` the name is an SQLite URI
    (`file:path?mode=rwc`), whose path is percent-decoded.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    name = url.database or ""
    if asbool(url.query.get("uri", False)) and name.startswith("file:"):
        if url.query.get("mode") == "memory":
            return None
        parts = urlsplit(name)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"SQLite URI {name!r}: only local files are supported")
        name = unquote(parts.path)
    if name in ("", ":memory:"):
        return None
    return Path(os.path.abspath(name))


def parse_duration(text: str) -> timedelta:
    """Parse '72h', '30m', '2d', '90s' or a bare number of hours."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise ValueError("empty duration")
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    unit = cleaned[-1]
    if unit in units:
        return timedelta(**{units[unit]: float(cleaned[:-1])})
    return timedelta(hours=float(cleaned))


class Settings(BaseSettings):
    """Every knob of the bot. Names match DESIGN.md and `.env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API_BASE_URL
    database_url: str = DEFAULT_SQLITE_URL
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    # The whole wait for one answer, retries included: past it the user gets the rules alone.
    openai_timeout_seconds: float = Field(default=20.0, gt=0)
    openai_max_retries: int = Field(default=2, ge=0, le=5)
    openai_max_concurrency: int = Field(default=4, ge=1)
    openai_daily_requests_per_user: int = Field(default=40, ge=0)
    openai_max_output_tokens: int = Field(default=900, ge=64)
    reminder_offsets: Annotated[list[timedelta], NoDecode] = Field(
        default_factory=lambda: [timedelta(hours=h) for h in (72, 24, 6, 1)]
    )
    reminder_sweep_seconds: float = 10.0
    # How long a process may hold a claimed reminder before another may take it over: the
    # longest a reminder waits when the process that claimed it dies.
    reminder_lease_seconds: float = Field(default=120.0, gt=1)
    # 1688's auto-confirm rule (2023): release at max(shipped + 10 d, signed + 48 h); never
    # signed by day 28 → shipped + 30 d. Every number is a setting, as the rule may change.
    escrow_after_shipped_days: float = 10
    escrow_after_signed_hours: float = 48
    escrow_never_signed_cutoff_days: float = 28
    escrow_never_signed_release_days: float = 30
    # Days after 申请退款 when the dispute's follow-up reminder comes back: the complaint
    # (申请客服介入) entry is expected on the refund page by then (bot.domain.disputes).
    dispute_seller_response_days: float = Field(default=SELLER_RESPONSE_DAYS, gt=0)
    default_timezone: str = "UTC"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    # The webhook server's own limits, for running without a reverse proxy (README): a
    # request head must arrive within this many seconds of connecting or of the previous
    # answer (idle keep-alive connections close then too), a body within this many seconds
    # of its head, and connections over the cap are answered 503 and closed at once.
    webhook_header_timeout: float = Field(default=10.0, gt=0)
    webhook_body_timeout: float = Field(default=10.0, gt=0)
    webhook_max_connections: int = Field(default=200, ge=1)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: str = "INFO"
    # Let python-telegram-bot's DEBUG lines, with every user's messages, into the log: for
    # debugging on one's own machine only.
    log_user_text: bool = False
    # Optional parcel following through Kuaidi100 (快递100): both set turn it on.
    kuaidi100_key: SecretStr | None = None
    kuaidi100_customer: str | None = None
    kuaidi100_base_url: str = DEFAULT_KUAIDI100_BASE_URL
    # Signs Kuaidi100's pushes to us; derived from the key when not set.
    kuaidi100_salt: SecretStr | None = None
    # How often the followed parcels are looked at; each waybill is still queried at most
    # once per 30 minutes (Kuaidi100's rule).
    kuaidi100_poll_minutes: float = Field(default=30.0, gt=0)

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _split_offsets(cls, value: object) -> object:
        if isinstance(value, str):
            offsets = [parse_duration(part) for part in value.split(",") if part.strip()]
            return sorted(offsets, reverse=True)
        return value

    @field_validator("kuaidi100_key", "kuaidi100_customer", "kuaidi100_salt", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `KUAIDI100_SALT=` as .env.example has it means "derive it", not an empty salt.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(
                int(part) for part in value.replace(";", ",").split(",") if part.strip()
            )
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        ZoneInfo(value)  # raises for an unknown zone, so a typo fails at start-up
        return value

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @property
    def llm_enabled(self) -> bool:
        """A key, or a base URL of a local OpenAI-compatible server (which may need none)."""
        return self.openai_api_key is not None or bool(self.openai_base_url)

    @property
    def kuaidi100_enabled(self) -> bool:
        return self.kuaidi100_key is not None and bool(self.kuaidi100_customer)

    def kuaidi100_push_salt(self) -> str:
        """KUAIDI100_SALT, else a salt derived from the key (stable across restarts and
        instances, so subscriptions made earlier still verify). Never log it."""
        if self.kuaidi100_salt is not None:
            return self.kuaidi100_salt.get_secret_value()
        if self.kuaidi100_key is None:
            raise ValueError("KUAIDI100_KEY is not set")
        key = self.kuaidi100_key.get_secret_value().encode()
        return hmac.new(key, _SALT_LABEL, hashlib.sha256).hexdigest()[:32]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file for a file-backed SQLite URL, else None (see sqlite_file)."""
        return sqlite_file(self.database_url)
