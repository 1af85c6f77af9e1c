"""The tables. Every table that belongs to a user references `users.telegram_id` with
ON DELETE CASCADE, so deleting the user row (`/forgetme`) deletes everything about them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, StrEnumText, UTCDateTime
from bot.domain.escrow.states import OrderState

# RFC 5646 advises room for 35 characters in a language tag.
LANGUAGE_TAG_LENGTH = 35
# The longest IANA zone name today is 32 characters.
TIMEZONE_NAME_LENGTH = 64
SHORT_CODE_LENGTH = 32
PLACE_LENGTH = 40
SIGNAL_CODES_LENGTH = 512
LABEL_LENGTH = 200
URL_LENGTH = 2048
ORDER_LABEL_LENGTH = 100


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
    # Quiet hours in the user's own time zone (hour 0-23, from inclusive, to exclusive);
    # reminders are moved earlier out of them, except the last stage before a deadline.
    quiet_from_hour: Mapped[int | None] = mapped_column(Integer)
    quiet_to_hour: Mapped[int | None] = mapped_column(Integer)
    # The forwarder's or agent's warehouse the goods should reach (/warehouse): a parcel
    # signed anywhere else is flagged. The phone's last 4 digits only (SF and ZTO ask them).
    warehouse_city: Mapped[str | None] = mapped_column(String(PLACE_LENGTH))
    warehouse_district: Mapped[str | None] = mapped_column(String(PLACE_LENGTH))
    warehouse_phone4: Mapped[str | None] = mapped_column(String(4))

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


class Order(Base):
    """A 1688 order the user tracks, with what is known of its escrow timeline.

    `deadline_at` is the current auto-confirm deadline, recomputed by bot.services.orders whenever
    the timeline changes (it is the value reminders were planned from).
    """

    __tablename__ = "orders"
    # The update that created the order: handled again after a crash, it finds this order
    # instead of tracking a second one (updates are handled at least once,
    # bot/runtime/delivery.py).
    __table_args__ = (UniqueConstraint("user_id", "source_update_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(ORDER_LABEL_LENGTH))
    order_number: Mapped[str | None] = mapped_column(String(SHORT_CODE_LENGTH))
    supplier: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    state: Mapped[OrderState] = mapped_column(StrEnumText(OrderState, SHORT_CODE_LENGTH))
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Known only by its day ("shipped today", a picked day): 00:00 Beijing, said on the card.
    shipped_at_estimated: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pause_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    countdown_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_update_id: Mapped[int | None] = mapped_column(BigInteger)
    # The parcel: from a pasted trace (or typed), followed through Kuaidi100 when it is on.
    carrier: Mapped[str | None] = mapped_column(String(SHORT_CODE_LENGTH))
    tracking_no: Mapped[str | None] = mapped_column(String(SHORT_CODE_LENGTH), index=True)
    # Flag codes already sent as an alert for this parcel, comma-separated: one alert each.
    parcel_flags: Mapped[str | None] = mapped_column(String(LABEL_LENGTH))
    parcel_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderEvent(Base):
    """What happened to an order, in order: the audit trail behind its state."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(SHORT_CODE_LENGTH))
    detail: Mapped[str | None] = mapped_column(String(LABEL_LENGTH))


class ReminderStatus(StrEnum):
    """pending → sending (claimed, lease_until set) → sent | failed | cancelled |
    superseded; paused while the user has blocked the bot.

    `superseded`: a warning about the same deadline that says what is true now stood for
    this one (missed stages after a downtime or a clock step collapse into one message;
    a re-plan's row that another already covers). Never sent, never to be.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PAUSED = "paused"
    SUPERSEDED = "superseded"


class Reminder(Base):
    """One planned message. The database is the truth; the scheduler is only a clock.

    `in_doubt` marks a row whose send may have reached Telegram before the process lost
    track of it: it is resent once as a repeat.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", "due_at"),
        Index(
            "ix_reminders_pending_due",
            "due_at",
            sqlite_where=text(f"status = '{ReminderStatus.PENDING}'"),
            postgresql_where=text(f"status = '{ReminderStatus.PENDING}'"),
        ),
        Index(
            "ix_reminders_sending_lease",
            "lease_until",
            sqlite_where=text(f"status = '{ReminderStatus.SENDING}'"),
            postgresql_where=text(f"status = '{ReminderStatus.SENDING}'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(SHORT_CODE_LENGTH))
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ReminderStatus] = mapped_column(
        StrEnumText(ReminderStatus, SHORT_CODE_LENGTH), default=ReminderStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(SHORT_CODE_LENGTH + 4))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tg_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(LABEL_LENGTH))
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The row whose message stood for this one (status `superseded`).
    superseded_by: Mapped[int | None] = mapped_column(Integer)


class LlmUsage(Base):
    """How many language-model requests a user made on one UTC day: the daily budget.

    One row per user and day, incremented atomically by a conditional upsert, so several
    bot processes share the budget and a restart does not reset it.
    """

    __tablename__ = "llm_usage"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    requests: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProcessedUpdate(Base):
    """An update the bot has taken on: being handled (a claim) or handled (done).

    Telegram re-sends an update when a webhook answer is lost or a poller restarts before
    confirming, and several instances may receive the same one. The key includes the bot:
    update ids are counted per bot, and two bots sharing a database must not silence each
    other. A row without `done_at` is a claim: a process is handling the update right now,
    or died while doing so, which `claimed_at` tells apart (a lease, see
    bot/db/processed_updates.py). Rows are only needed while Telegram may still re-deliver,
    so old ones are pruned; `received_at` is indexed to make that cheap.
    """

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# A ConversationHandler's name, and its key (chat id, user id) written as JSON text.
CONVERSATION_NAME_LENGTH = 64
CONVERSATION_KEY_LENGTH = 64


class ConversationState(Base):
    """Where a user is in one of the bot's conversations (see bot/runtime/persistence.py).

    Keyed as python-telegram-bot keys conversations: the handler's name and the key, a
    (chat id, user id) tuple stored as JSON text. `user_id` repeats the key's user, so the
    row goes with the user (/forgetme) like every other row about them. `updated_at` is the
    user's last step in the conversation: the idle timeout counts from it.
    """

    __tablename__ = "conversation_states"

    conversation: Mapped[str] = mapped_column(String(CONVERSATION_NAME_LENGTH), primary_key=True)
    conversation_key: Mapped[str] = mapped_column(
        String(CONVERSATION_KEY_LENGTH), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), index=True
    )
    state: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserFlow(Base):
    """The answers a user has given so far in the flow they are in (`UserState.flow`).

    A row exists only while the flow holds something; drafts of a finished or abandoned
    conversation are deleted once no conversation of the user is alive
    (bot/runtime/persistence.py).
    """

    __tablename__ = "user_flows"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
