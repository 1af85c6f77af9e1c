"""supplier_checks: finished guided supplier checks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supplier_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("link_url", sa.String(length=2048), nullable=True),
        sa.Column("link_kind", sa.String(length=32), nullable=True),
        sa.Column("overall", sa.String(length=32), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.telegram_id"],
            name=op.f("fk_supplier_checks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_checks")),
    )
    op.create_index(
        op.f("ix_supplier_checks_user_id"), "supplier_checks", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_supplier_checks_user_id"), table_name="supplier_checks")
    op.drop_table("supplier_checks")
