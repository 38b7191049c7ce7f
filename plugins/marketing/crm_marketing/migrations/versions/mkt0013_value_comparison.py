"""marketing: the discount rate and the model comparison of each lifetime-value fit

Revision ID: mkt0013
Revises: mkt0012
Create Date: 2026-12-07

Each fit now records the annual rate its expected values were discounted at and how
BG/NBD compared with Pareto/NBD on the same history (JSON). Both are empty on the
fits made before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mkt0013"
down_revision: str | Sequence[str] | None = "mkt0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("marketing_value_models") as batch:
        batch.add_column(sa.Column("discount_rate", sa.Double(), nullable=True))
        batch.add_column(sa.Column("comparison", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("marketing_value_models") as batch:
        batch.drop_column("comparison")
        batch.drop_column("discount_rate")
