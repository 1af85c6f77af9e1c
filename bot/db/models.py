"""The tables. Every table that belongs to a user references `users.telegram_id` with
ON DELETE CASCADE, so deleting the user row (`/forgetme`) deletes everything about them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime

# RFC 5646 advises room for 35 characters in a language tag.
LANGUAGE_TAG_LENGTH = 35
# The longest IANA zone name today is 32 characters.
TIMEZONE_NAME_LENGTH = 64
SHORT_CODE_LENGTH = 32
SIGNAL_CODES_LENGTH = 512
LABEL_LENGTH = 200
URL_LENGTH = 2048


class User(Base):
    """A Telegram user who has talked to the bot."""

    __tablename__ = "users"

    # Telegram ids need up to 52 bits; autoincrement=False keeps PostgreSQL from
    # turning this into a sequence: the id always comes from Telegram.
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_TAG_LENGTH))
    timezone: Mapped[str | None] = mapped_column(String(TIMEZONE_NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Opt-in: keep the (masked) text of checked messages to improve the rules.
    keep_texts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return f"User(telegram_id={self.telegram_id}, language={self.language!r})"


class PaymentCheckRecord(Base):
    """One payment request the bot judged, and what the user said about the verdict.

    Holds the verdict and signal codes only; the checked text is kept solely when the user
    opted in (`User.keep_texts`), and then with card and phone numbers masked.
    """

    __tablename__ = "payment_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(SHORT_CODE_LENGTH))
    verdict: Mapped[str] = mapped_column(String(SHORT_CODE_LENGTH))
    signal_codes: Mapped[str] = mapped_column(String(SIGNAL_CODES_LENGTH), default="")
    feedback: Mapped[str | None] = mapped_column(String(SHORT_CODE_LENGTH))
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    masked_text: Mapped[str | None] = mapped_column(Text)


class SupplierCheckRecord(Base):
    """A finished guided supplier check: what the user told the bot and the overall rating.

    The scorecard itself is not stored: it is recomputed from `facts` when re-opened, so it
    always follows the current rules.
    """

    __tablename__ = "supplier_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    label: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    link_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    link_kind: Mapped[str | None] = mapped_column(String(SHORT_CODE_LENGTH))
    overall: Mapped[str] = mapped_column(String(SHORT_CODE_LENGTH))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
