"""power: service levels of accounts (key / important / ordinary)

Revision ID: power0002
Revises: power0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "power0002"
down_revision: str | Sequence[str] | None = "power0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "power_service_classes",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("annual_kwh", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["power_accounts.id"],
            name=op.f("fk_power_service_classes_account_id_power_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_power_service_classes")),
    )
    op.create_index(
        op.f("ix_power_service_classes_level"), "power_service_classes", ["level"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_power_service_classes_level"), table_name="power_service_classes")
    op.drop_table("power_service_classes")
