"""power: where a fault is and when the crew arrived (the arrival clock)

Revision ID: power0003
Revises: power0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "power0003"
down_revision: str | Sequence[str] | None = "power0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Faults reported before this revision count as urban: the strictest target.
    with op.batch_alter_table("power_faults") as batch:
        batch.add_column(
            sa.Column("area", sa.String(length=8), server_default="urban", nullable=False)
        )
        batch.add_column(sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("power_faults") as batch:
        batch.drop_column("arrived_at")
        batch.drop_column("area")
