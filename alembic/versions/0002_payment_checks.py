"""payment_checks: verdicts of checked payment requests and the users' feedback

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(
            sa.Column("keep_texts", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "payment_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("signal_codes", sa.String(length=512), nullable=False),
        sa.Column("feedback", sa.String(length=32), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("masked_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.telegram_id"],
            name=op.f("fk_payment_checks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_checks")),
    )
    op.create_index(op.f("ix_payment_checks_user_id"), "payment_checks", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_checks_user_id"), table_name="payment_checks")
    op.drop_table("payment_checks")
    with op.batch_alter_table("users") as users:
        users.drop_column("keep_texts")
