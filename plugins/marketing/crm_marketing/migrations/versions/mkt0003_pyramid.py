"""marketing: customer pyramid tier and loyalty–value quadrant beside the RFM scores

Revision ID: mkt0003
Revises: mkt0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mkt0003"
down_revision: str | Sequence[str] | None = "mkt0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rows scored before this revision get their tier at the next refresh.
    with op.batch_alter_table("marketing_rfm") as batch:
        batch.add_column(sa.Column("pyramid", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("loyalty_value", sa.String(length=12), nullable=True))
        batch.create_index(batch.f("ix_marketing_rfm_pyramid"), ["pyramid"], unique=False)
        batch.create_index(
            batch.f("ix_marketing_rfm_loyalty_value"), ["loyalty_value"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("marketing_rfm") as batch:
        batch.drop_index(batch.f("ix_marketing_rfm_loyalty_value"))
        batch.drop_index(batch.f("ix_marketing_rfm_pyramid"))
        batch.drop_column("loyalty_value")
        batch.drop_column("pyramid")
