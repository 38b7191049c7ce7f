"""marketing: lifetime-value models and each customer's predicted value

Revision ID: mkt0002
Revises: mkt0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_host.sdk.migrations import UTCDateTime

revision: str = "mkt0002"
down_revision: str | Sequence[str] | None = "mkt0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "marketing_value_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("repeat_buyers", sa.Integer(), nullable=False),
        sa.Column("r", sa.Double(), nullable=False),
        sa.Column("alpha", sa.Double(), nullable=False),
        sa.Column("a", sa.Double(), nullable=False),
        sa.Column("b", sa.Double(), nullable=False),
        sa.Column("bgnbd_log_likelihood", sa.Double(), nullable=False),
        sa.Column("p", sa.Double(), nullable=True),
        sa.Column("q", sa.Double(), nullable=True),
        sa.Column("v", sa.Double(), nullable=True),
        sa.Column("gamma_gamma_log_likelihood", sa.Double(), nullable=True),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_value_models")),
    )
    op.create_table(
        "marketing_customer_values",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("recency_weeks", sa.Double(), nullable=False),
        sa.Column("age_weeks", sa.Double(), nullable=False),
        sa.Column("average_spend", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("p_alive", sa.Double(), nullable=False),
        sa.Column("expected_purchases", sa.Double(), nullable=False),
        sa.Column("expected_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("churn_risk", sa.String(length=8), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_marketing_customer_values_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_marketing_customer_values")),
    )
    op.create_index(
        op.f("ix_marketing_customer_values_churn_risk"),
        "marketing_customer_values",
        ["churn_risk"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_marketing_customer_values_churn_risk"), table_name="marketing_customer_values"
    )
    op.drop_table("marketing_customer_values")
    op.drop_table("marketing_value_models")
