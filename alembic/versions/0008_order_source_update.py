"""orders.source_update_id: the update that created an order, unique per user

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.add_column(sa.Column("source_update_id", sa.BigInteger(), nullable=True))
        orders.create_unique_constraint(
            op.f("uq_orders_user_id_source_update_id"), ["user_id", "source_update_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.drop_constraint(op.f("uq_orders_user_id_source_update_id"), type_="unique")
        orders.drop_column("source_update_id")
