"""api tokens, permission scopes (record rules) and audit

Revision ID: host0003
Revises: host0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "host0003"
down_revision: str | Sequence[str] | None = "host0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("role_permissions") as batch:
        batch.add_column(sa.Column("scope", sa.String(16), nullable=False, server_default="all"))


def downgrade() -> None:
    with op.batch_alter_table("role_permissions") as batch:
        batch.drop_column("scope")
