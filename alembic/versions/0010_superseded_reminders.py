"""reminders.superseded_by: a warning that another message stood for (status superseded)

Missed stages collapse into one message, and a re-plan never re-sends a warning already
had; the rows left out are `superseded` (status is plain text: no schema change for it)
and name the row whose message stood for them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders") as reminders:
        reminders.add_column(sa.Column("superseded_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    # An older version knows no `superseded` status: those rows read as cancelled there.
    op.execute("UPDATE reminders SET status = 'cancelled' WHERE status = 'superseded'")
    with op.batch_alter_table("reminders") as reminders:
        reminders.drop_column("superseded_by")
