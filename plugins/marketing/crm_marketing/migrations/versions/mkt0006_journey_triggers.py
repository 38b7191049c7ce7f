"""marketing: what a journey's event must carry, its goal, and entries that reached it

Revision ID: mkt0006
Revises: mkt0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mkt0006"
down_revision: str | Sequence[str] | None = "mkt0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_marketing_journey_entries_status"
OLD = "status IN ('waiting', 'done', 'exited')"
NEW = "status IN ('waiting', 'done', 'exited', 'converted')"


def upgrade() -> None:
    with op.batch_alter_table("marketing_journeys") as batch:
        batch.add_column(sa.Column("event_value", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("goal", sa.JSON(), nullable=True))
    with op.batch_alter_table("marketing_journey_entries") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), NEW)


def downgrade() -> None:
    # Converted entries become finished ones: the old constraint has no other place for them.
    op.execute("UPDATE marketing_journey_entries SET status = 'done' WHERE status = 'converted'")
    with op.batch_alter_table("marketing_journey_entries") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), OLD)
    with op.batch_alter_table("marketing_journeys") as batch:
        batch.drop_column("goal")
        batch.drop_column("event_value")
