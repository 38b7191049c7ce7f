"""sales: price lists, quotes with lines, and a discount on order lines

Revision ID: sales0003
Revises: sales0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sales0003"
down_revision: str | Sequence[str] | None = "sales0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    op.create_table(
        "sales_price_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_price_lists")),
        sa.UniqueConstraint("code", name=op.f("uq_sales_price_lists_code")),
    )
    op.create_table(
        "sales_price_list_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["sales_price_lists.id"],
            name=op.f("fk_sales_price_list_items_price_list_id_sales_price_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["sales_products.id"],
            name=op.f("fk_sales_price_list_items_product_id_sales_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_price_list_items")),
        sa.UniqueConstraint(
            "price_list_id",
            "product_id",
            name=op.f("uq_sales_price_list_items_price_list_id_product_id"),
        ),
    )
    for column in ("price_list_id", "product_id"):
        op.create_index(
            op.f(f"ix_sales_price_list_items_{column}"), "sales_price_list_items", [column]
        )
    op.create_table(
        "sales_quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "sent",
                "accepted",
                "rejected",
                "expired",
                name="quotestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("subtotal", MONEY, nullable=False),
        sa.Column("discount", MONEY, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sales_quotes_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["sales_opportunities.id"],
            name=op.f("fk_sales_quotes_opportunity_id_sales_opportunities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["sales_price_lists.id"],
            name=op.f("fk_sales_quotes_price_list_id_sales_price_lists"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_orders.id"],
            name=op.f("fk_sales_quotes_order_id_sales_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_sales_quotes_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_quotes")),
        sa.UniqueConstraint("number", name=op.f("uq_sales_quotes_number")),
    )
    for column in ("customer_id", "opportunity_id"):
        op.create_index(op.f(f"ix_sales_quotes_{column}"), "sales_quotes", [column])
    op.create_table(
        "sales_quote_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.Column("discount_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["sales_quotes.id"],
            name=op.f("fk_sales_quote_lines_quote_id_sales_quotes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["sales_products.id"],
            name=op.f("fk_sales_quote_lines_product_id_sales_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_quote_lines")),
    )
    for column in ("quote_id", "product_id"):
        op.create_index(op.f(f"ix_sales_quote_lines_{column}"), "sales_quote_lines", [column])
    # Orders made from a quote keep each line's discount; existing lines had none.
    with op.batch_alter_table("sales_order_lines") as batch:
        batch.add_column(
            sa.Column(
                "discount_percent",
                sa.Numeric(precision=5, scale=2),
                server_default="0",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sales_order_lines") as batch:
        batch.drop_column("discount_percent")
    for column in ("product_id", "quote_id"):
        op.drop_index(op.f(f"ix_sales_quote_lines_{column}"), table_name="sales_quote_lines")
    op.drop_table("sales_quote_lines")
    for column in ("opportunity_id", "customer_id"):
        op.drop_index(op.f(f"ix_sales_quotes_{column}"), table_name="sales_quotes")
    op.drop_table("sales_quotes")
    for column in ("product_id", "price_list_id"):
        op.drop_index(
            op.f(f"ix_sales_price_list_items_{column}"), table_name="sales_price_list_items"
        )
    op.drop_table("sales_price_list_items")
    op.drop_table("sales_price_lists")
