"""customers.search_name: the folded name used by search and duplicate detection

Revision ID: host0002
Revises: host0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_host.core.text import normalize_name

revision: str = "host0002"
down_revision: str | Sequence[str] | None = "host0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(
            sa.Column("search_name", sa.String(200), nullable=False, server_default="")
        )
        batch.drop_index("ix_customers_name")
        batch.create_index("ix_customers_search_name", ["search_name"])
    customers = sa.table(
        "customers",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("search_name", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(customers.c.id, customers.c.name)).all()
    if rows:
        connection.execute(
            customers.update().where(customers.c.id == sa.bindparam("row_id")),
            [{"row_id": row.id, "search_name": normalize_name(row.name)} for row in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_index("ix_customers_search_name")
        batch.drop_column("search_name")
        batch.create_index("ix_customers_name", ["name"])
