"""sales: orders indexed by customer and amount

Revision ID: sales0006
Revises: sales0005
Create Date: 2026-12-01

Segments group the host's transactions by customer and total or count them: with
customer and amount in one index the database reads the index alone, already in
customer order, instead of sorting every order or fetching each one from the table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "sales0006"
down_revision: str | Sequence[str] | None = "sales0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sales_orders_customer_amount", "sales_orders", ["customer_id", "amount"])


def downgrade() -> None:
    op.drop_index("ix_sales_orders_customer_amount", table_name="sales_orders")
