"""sales: least-loaded assignment per department, and each sales user's capacity

Revision ID: sales0004
Revises: sales0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sales0004"
down_revision: str | Sequence[str] | None = "sales0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales_assignment_rules",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "round_robin",
                "least_loaded",
                name="assignmentmethod",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_sales_assignment_rules_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_sales_assignment_rules")),
    )
    op.create_table(
        "sales_capacities",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("max_open", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sales_capacities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_sales_capacities")),
    )


def downgrade() -> None:
    op.drop_table("sales_capacities")
    op.drop_table("sales_assignment_rules")
