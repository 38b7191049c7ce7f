"""loyalty: accounts and movements of points

Revision ID: loyalty0001
Revises:
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "loyalty0001"
down_revision: str | Sequence[str] | None = None
# The plugin's own branch, labelled with its slug: `crm db upgrade loyalty@head`.
branch_labels: str | Sequence[str] | None = ("loyalty",)
# The host revision whose tables this branch needs (the host's head when written).
depends_on: str | Sequence[str] | None = "host0009"


def upgrade() -> None:
    op.create_table(
        "loyalty_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_loyalty_accounts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_accounts")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_loyalty_accounts_customer_id")),
    )
    op.create_table(
        "loyalty_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["loyalty_accounts.id"],
            name=op.f("fk_loyalty_movements_account_id_loyalty_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_movements")),
        sa.UniqueConstraint("ref", name=op.f("uq_loyalty_movements_ref")),
    )
    op.create_index(
        op.f("ix_loyalty_movements_account_id"), "loyalty_movements", ["account_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_loyalty_movements_account_id"), table_name="loyalty_movements")
    op.drop_table("loyalty_movements")
    op.drop_table("loyalty_accounts")
