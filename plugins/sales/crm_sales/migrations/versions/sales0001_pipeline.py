"""sales: leads, pipeline stages with history, opportunities, products, orders

Revision ID: sales0001
Revises:
Create Date: 2026-11-30

The default pipeline stages are seeded here so a fresh installation has a working
board; companies rename, reorder or add stages afterwards.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sales0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("sales",)
# The tables referenced here (customers, users, departments) exist since host0001;
# depending on nothing later lets the host branch move independently of this one.
depends_on: str | Sequence[str] | None = "host0001"

#: (code, name, position, probability, is_won, is_lost)
DEFAULT_STAGES = [
    ("prospecting", "Prospecting", 10, 10, False, False),
    ("qualification", "Qualification", 20, 25, False, False),
    ("proposal", "Proposal", 30, 50, False, False),
    ("negotiation", "Negotiation", 40, 75, False, False),
    ("won", "Won", 90, 100, True, False),
    ("lost", "Lost", 100, 0, False, True),
]


def upgrade() -> None:
    op.create_table(
        "sales_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_products")),
        sa.UniqueConstraint("code", name=op.f("uq_sales_products_code")),
    )
    op.create_table(
        "sales_scoring_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("operator", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_scoring_rules")),
    )
    op.create_table(
        "sales_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("is_won", sa.Boolean(), nullable=False),
        sa.Column("is_lost", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_stages")),
        sa.UniqueConstraint("code", name=op.f("uq_sales_stages_code")),
    )
    op.create_table(
        "sales_assignment_cursors",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("last_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_sales_assignment_cursors_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["last_user_id"],
            ["users.id"],
            name=op.f("fk_sales_assignment_cursors_last_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_sales_assignment_cursors")),
    )
    op.create_table(
        "sales_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "contacted",
                "qualified",
                "converted",
                "disqualified",
                name="leadstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("disqualified_reason", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("campaign", sa.String(length=100), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sales_leads_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_sales_leads_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_sales_leads_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_leads")),
    )
    op.create_index(
        op.f("ix_sales_leads_customer_id"), "sales_leads", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_leads_department_id"), "sales_leads", ["department_id"], unique=False
    )
    op.create_index(op.f("ix_sales_leads_email"), "sales_leads", ["email"], unique=False)
    op.create_index(op.f("ix_sales_leads_owner_id"), "sales_leads", ["owner_id"], unique=False)
    op.create_index(op.f("ix_sales_leads_phone"), "sales_leads", ["phone"], unique=False)
    op.create_index("ix_sales_leads_status_id", "sales_leads", ["status", "id"], unique=False)
    op.create_table(
        "sales_opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "won", "lost", name="opportunitystatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("lost_reason", sa.String(length=300), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sales_opportunities_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_sales_opportunities_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["sales_leads.id"],
            name=op.f("fk_sales_opportunities_lead_id_sales_leads"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_sales_opportunities_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["sales_stages.id"],
            name=op.f("fk_sales_opportunities_stage_id_sales_stages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_opportunities")),
    )
    op.create_index(
        op.f("ix_sales_opportunities_customer_id"),
        "sales_opportunities",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_opportunities_department_id"),
        "sales_opportunities",
        ["department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_opportunities_lead_id"), "sales_opportunities", ["lead_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_opportunities_owner_id"), "sales_opportunities", ["owner_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_opportunities_stage_id"), "sales_opportunities", ["stage_id"], unique=False
    )
    op.create_index(
        "ix_sales_opportunities_status_stage",
        "sales_opportunities",
        ["status", "stage_id"],
        unique=False,
    )
    op.create_table(
        "sales_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_sales_orders_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sales_orders_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["sales_opportunities.id"],
            name=op.f("fk_sales_orders_opportunity_id_sales_opportunities"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_sales_orders_number")),
    )
    op.create_index(
        "ix_sales_orders_customer_ordered",
        "sales_orders",
        ["customer_id", "ordered_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_orders_opportunity_id"), "sales_orders", ["opportunity_id"], unique=False
    )
    op.create_table(
        "sales_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_sales_stage_changes_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["from_stage_id"],
            ["sales_stages.id"],
            name=op.f("fk_sales_stage_changes_from_stage_id_sales_stages"),
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["sales_opportunities.id"],
            name=op.f("fk_sales_stage_changes_opportunity_id_sales_opportunities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"],
            ["sales_stages.id"],
            name=op.f("fk_sales_stage_changes_to_stage_id_sales_stages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_stage_changes")),
    )
    op.create_index(
        op.f("ix_sales_stage_changes_opportunity_id"),
        "sales_stage_changes",
        ["opportunity_id"],
        unique=False,
    )
    op.create_table(
        "sales_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_orders.id"],
            name=op.f("fk_sales_order_lines_order_id_sales_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["sales_products.id"],
            name=op.f("fk_sales_order_lines_product_id_sales_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order_lines")),
    )
    op.create_index(
        op.f("ix_sales_order_lines_order_id"), "sales_order_lines", ["order_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_order_lines_product_id"), "sales_order_lines", ["product_id"], unique=False
    )

    stages = sa.table(
        "sales_stages",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("probability", sa.Integer),
        sa.column("is_won", sa.Boolean),
        sa.column("is_lost", sa.Boolean),
    )
    op.bulk_insert(
        stages,
        [
            dict(
                zip(
                    ("code", "name", "position", "probability", "is_won", "is_lost"),
                    row,
                    strict=True,
                )
            )
            for row in DEFAULT_STAGES
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sales_order_lines_product_id"), table_name="sales_order_lines")
    op.drop_index(op.f("ix_sales_order_lines_order_id"), table_name="sales_order_lines")
    op.drop_table("sales_order_lines")
    op.drop_index(op.f("ix_sales_stage_changes_opportunity_id"), table_name="sales_stage_changes")
    op.drop_table("sales_stage_changes")
    op.drop_index(op.f("ix_sales_orders_opportunity_id"), table_name="sales_orders")
    op.drop_index("ix_sales_orders_customer_ordered", table_name="sales_orders")
    op.drop_table("sales_orders")
    op.drop_index("ix_sales_opportunities_status_stage", table_name="sales_opportunities")
    op.drop_index(op.f("ix_sales_opportunities_stage_id"), table_name="sales_opportunities")
    op.drop_index(op.f("ix_sales_opportunities_owner_id"), table_name="sales_opportunities")
    op.drop_index(op.f("ix_sales_opportunities_lead_id"), table_name="sales_opportunities")
    op.drop_index(op.f("ix_sales_opportunities_department_id"), table_name="sales_opportunities")
    op.drop_index(op.f("ix_sales_opportunities_customer_id"), table_name="sales_opportunities")
    op.drop_table("sales_opportunities")
    op.drop_index("ix_sales_leads_status_id", table_name="sales_leads")
    op.drop_index(op.f("ix_sales_leads_phone"), table_name="sales_leads")
    op.drop_index(op.f("ix_sales_leads_owner_id"), table_name="sales_leads")
    op.drop_index(op.f("ix_sales_leads_email"), table_name="sales_leads")
    op.drop_index(op.f("ix_sales_leads_department_id"), table_name="sales_leads")
    op.drop_index(op.f("ix_sales_leads_customer_id"), table_name="sales_leads")
    op.drop_table("sales_leads")
    op.drop_table("sales_assignment_cursors")
    op.drop_table("sales_stages")
    op.drop_table("sales_scoring_rules")
    op.drop_table("sales_products")
