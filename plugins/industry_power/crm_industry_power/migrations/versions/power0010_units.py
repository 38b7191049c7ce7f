"""power: units of readings and per-category capacity

Revision ID: power0010
Revises: power0009
Create Date: 2026-12-07

An account gets the unit it is shown in (kW or MW) and a flag to refuse readings over
3× its capacity rather than report them; a meter says whether it measures active or
reactive power, so kvar and kvarh readings never add to a load curve. Existing rows
keep today's meaning: shown in kW, overloads reported, active meters.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "power0010"
down_revision: str | Sequence[str] | None = "power0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("power_accounts") as batch:
        batch.add_column(
            sa.Column("display_unit", sa.String(length=8), server_default="kW", nullable=False)
        )
        batch.add_column(
            sa.Column("refuse_overload", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("power_meters") as batch:
        batch.add_column(
            sa.Column("quantity", sa.String(length=8), server_default="active", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("power_meters") as batch:
        batch.drop_column("quantity")
    with op.batch_alter_table("power_accounts") as batch:
        batch.drop_column("refuse_overload")
        batch.drop_column("display_unit")
