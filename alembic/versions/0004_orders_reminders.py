"""orders, order_events, reminders; quiet hours on users

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("quiet_from_hour", sa.Integer(), nullable=True))
        users.add_column(sa.Column("quiet_to_hour", sa.Integer(), nullable=True))
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("order_number", sa.String(length=32), nullable=True),
        sa.Column("supplier", sa.String(length=2048), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("shipped_at", UTC_TIME, nullable=True),
        sa.Column("signed_at", UTC_TIME, nullable=True),
        sa.Column("extension_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("paused_seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("pause_started_at", UTC_TIME, nullable=True),
        sa.Column("countdown_deadline_at", UTC_TIME, nullable=True),
        sa.Column("deadline_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.telegram_id"],
            name=op.f("fk_orders_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_user_id"), "orders", ["user_id"], unique=False)
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_events_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index(op.f("ix_order_events_order_id"), "order_events", ["order_id"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("deadline_at", UTC_TIME, nullable=True),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("lease_until", UTC_TIME, nullable=True),
        sa.Column("tg_message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("in_doubt", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_reminders_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.telegram_id"],
            name=op.f("fk_reminders_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint(
            "order_id", "kind", "due_at", name=op.f("uq_reminders_order_id_kind_due_at")
        ),
    )
    op.create_index(op.f("ix_reminders_order_id"), "reminders", ["order_id"])
    op.create_index(op.f("ix_reminders_user_id"), "reminders", ["user_id"])
    op.create_index(
        "ix_reminders_pending_due",
        "reminders",
        ["due_at"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_reminders_sending_lease",
        "reminders",
        ["lease_until"],
        sqlite_where=sa.text("status = 'sending'"),
        postgresql_where=sa.text("status = 'sending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_reminders_sending_lease", table_name="reminders")
    op.drop_index("ix_reminders_pending_due", table_name="reminders")
    op.drop_index(op.f("ix_reminders_user_id"), table_name="reminders")
    op.drop_index(op.f("ix_reminders_order_id"), table_name="reminders")
    op.drop_table("reminders")
    op.drop_index(op.f("ix_order_events_order_id"), table_name="order_events")
    op.drop_table("order_events")
    op.drop_index(op.f("ix_orders_user_id"), table_name="orders")
    op.drop_table("orders")
    with op.batch_alter_table("users") as users:
        users.drop_column("quiet_to_hour")
        users.drop_column("quiet_from_hour")
