"""sales: a price list of its own for a customer

Revision ID: sales0005
Revises: sales0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sales0005"
down_revision: str | Sequence[str] | None = "sales0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales_customer_price_lists",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sales_customer_price_lists_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["sales_price_lists.id"],
            name=op.f("fk_sales_customer_price_lists_price_list_id_sales_price_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_sales_customer_price_lists")),
    )
    op.create_index(
        op.f("ix_sales_customer_price_lists_price_list_id"),
        "sales_customer_price_lists",
        ["price_list_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_sales_customer_price_lists_price_list_id"),
        table_name="sales_customer_price_lists",
    )
    op.drop_table("sales_customer_price_lists")
