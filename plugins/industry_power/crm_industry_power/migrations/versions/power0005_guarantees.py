"""power: service guarantee types and the guarantees running for customers

Revision ID: power0005
Revises: power0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "power0005"
down_revision: str | Sequence[str] | None = "power0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "power_guarantee_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_value", sa.Integer(), nullable=False),
        sa.Column("target_unit", sa.String(length=16), nullable=False),
        sa.Column("calendar", sa.String(length=100), nullable=False),
        sa.Column("credit_amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_guarantee_types")),
        sa.UniqueConstraint("code", name=op.f("uq_power_guarantee_types_code")),
    )
    op.create_table(
        "power_guarantees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("event_at", WHEN, nullable=True),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("met_at", WHEN, nullable=True),
        sa.Column("breached_at", WHEN, nullable=True),
        sa.Column("credit_owed", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["power_guarantee_types.id"],
            name=op.f("fk_power_guarantees_type_id_power_guarantee_types"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_power_guarantees_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["power_accounts.id"],
            name=op.f("fk_power_guarantees_account_id_power_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_power_guarantees_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_guarantees")),
    )
    for column in ("type_id", "customer_id", "account_id", "created_by_id"):
        op.create_index(op.f(f"ix_power_guarantees_{column}"), "power_guarantees", [column])


def downgrade() -> None:
    for column in ("type_id", "customer_id", "account_id", "created_by_id"):
        op.drop_index(op.f(f"ix_power_guarantees_{column}"), table_name="power_guarantees")
    op.drop_table("power_guarantees")
    op.drop_table("power_guarantee_types")
