"""power: inspection plans and records for key customers' service points and equipment

Revision ID: power0004
Revises: power0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "power0004"
down_revision: str | Sequence[str] | None = "power0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "power_inspection_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=True),
        sa.Column("interval_days", sa.SmallInteger(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("flagged_due", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["power_accounts.id"],
            name=op.f("fk_power_inspection_plans_account_id_power_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["power_equipment.id"],
            name=op.f("fk_power_inspection_plans_equipment_id_power_equipment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["users.id"],
            name=op.f("fk_power_inspection_plans_responsible_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_inspection_plans")),
    )
    for column in ("account_id", "equipment_id", "next_due", "responsible_id"):
        op.create_index(
            op.f(f"ix_power_inspection_plans_{column}"), "power_inspection_plans", [column]
        )
    op.create_table(
        "power_inspection_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["power_inspection_plans.id"],
            name=op.f("fk_power_inspection_records_plan_id_power_inspection_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["users.id"],
            name=op.f("fk_power_inspection_records_inspector_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_inspection_records")),
    )
    for column in ("plan_id", "inspector_id"):
        op.create_index(
            op.f(f"ix_power_inspection_records_{column}"), "power_inspection_records", [column]
        )


def downgrade() -> None:
    for column in ("plan_id", "inspector_id"):
        op.drop_index(
            op.f(f"ix_power_inspection_records_{column}"), table_name="power_inspection_records"
        )
    op.drop_table("power_inspection_records")
    for column in ("account_id", "equipment_id", "next_due", "responsible_id"):
        op.drop_index(
            op.f(f"ix_power_inspection_plans_{column}"), table_name="power_inspection_plans"
        )
    op.drop_table("power_inspection_plans")
