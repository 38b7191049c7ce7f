"""sales: activities (calls, meetings, tasks) with due times and reminders

Revision ID: sales0002
Revises: sales0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sales0002"
down_revision: str | Sequence[str] | None = "sales0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("call", "meeting", "task", name="activitykind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sales_activities_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["sales_leads.id"],
            name=op.f("fk_sales_activities_lead_id_sales_leads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["sales_opportunities.id"],
            name=op.f("fk_sales_activities_opportunity_id_sales_opportunities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_sales_activities_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_activities")),
    )
    op.create_index(
        "ix_sales_activities_due", "sales_activities", ["done_at", "reminded_at", "due_at"]
    )
    for column in ("customer_id", "lead_id", "opportunity_id", "owner_id"):
        op.create_index(op.f(f"ix_sales_activities_{column}"), "sales_activities", [column])


def downgrade() -> None:
    for column in ("owner_id", "opportunity_id", "lead_id", "customer_id"):
        op.drop_index(op.f(f"ix_sales_activities_{column}"), table_name="sales_activities")
    op.drop_index("ix_sales_activities_due", table_name="sales_activities")
    op.drop_table("sales_activities")
