"""marketing: campaigns get a version counter for ETag / If-Match

Revision ID: mkt0009
Revises: mkt0008
Create Date: 2026-12-07

Every row starts at version 1; ORM writes raise it and refuse a stale update.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mkt0009"
down_revision: str | Sequence[str] | None = "mkt0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("marketing_campaigns",)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
