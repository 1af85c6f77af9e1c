"""conversation_states, user_flows: conversations survive restarts and are shared

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversation_states",
        sa.Column("conversation", sa.String(length=64), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.telegram_id"],
            name=op.f("fk_conversation_states_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conversation", "conversation_key", name=op.f("pk_conversation_states")
        ),
    )
    op.create_index(
        op.f("ix_conversation_states_user_id"), "conversation_states", ["user_id"], unique=False
    )
    op.create_table(
        "user_flows",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("flow", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.telegram_id"],
            name=op.f("fk_user_flows_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_flows")),
    )


def downgrade() -> None:
    op.drop_table("user_flows")
    op.drop_index(op.f("ix_conversation_states_user_id"), table_name="conversation_states")
    op.drop_table("conversation_states")
