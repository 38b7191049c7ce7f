"""import problems of two kinds: rows refused, and notices about rows kept (a gap
between two meter readings)

Revision ID: host0013
Revises: host0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "host0013"
down_revision: str | Sequence[str] | None = "host0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_rejects") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="refused"))


def downgrade() -> None:
    with op.batch_alter_table("import_rejects") as batch:
        batch.drop_column("kind")
