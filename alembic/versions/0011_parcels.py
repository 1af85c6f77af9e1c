"""The parcel behind an order (carrier, tracking number, flags alerted) and the user's
warehouse (/warehouse): what the logistics trace is checked against.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("warehouse_city", sa.String(40), nullable=True))
        users.add_column(sa.Column("warehouse_district", sa.String(40), nullable=True))
        users.add_column(sa.Column("warehouse_phone4", sa.String(4), nullable=True))
    with op.batch_alter_table("orders") as orders:
        orders.add_column(sa.Column("carrier", sa.String(32), nullable=True))
        orders.add_column(sa.Column("tracking_no", sa.String(32), nullable=True))
        orders.add_column(sa.Column("parcel_flags", sa.String(200), nullable=True))
        orders.add_column(sa.Column("parcel_checked_at", sa.DateTime(timezone=True)))
        orders.create_index("ix_orders_tracking_no", ["tracking_no"])


def downgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.drop_index("ix_orders_tracking_no")
        for column in ("parcel_checked_at", "parcel_flags", "tracking_no", "carrier"):
            orders.drop_column(column)
    with op.batch_alter_table("users") as users:
        for column in ("warehouse_phone4", "warehouse_district", "warehouse_city"):
            users.drop_column(column)
