"""customers get a version counter: ETag / If-Match and ORM writes refuse stale updates

Revision ID: host0015
Revises: host0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "host0015"
down_revision: str | Sequence[str] | None = "host0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows start at version 1, as new ones do.
    with op.batch_alter_table("customers") as batch:
        batch.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("version")
