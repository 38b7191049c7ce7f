"""api tokens, permissions and audit

Revision ID: host0003
Revises: host0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "host0003"
down_revision: str | Sequence[str] | None = "host0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
