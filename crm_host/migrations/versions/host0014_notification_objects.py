"""notifications say which object they are about, so they can be gated by it

Revision ID: host0014
Revises: host0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "host0014"
down_revision: str | Sequence[str] | None = "host0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("object_type", sa.String(100), nullable=True))
        batch.add_column(sa.Column("object_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("object_id")
        batch.drop_column("object_type")
