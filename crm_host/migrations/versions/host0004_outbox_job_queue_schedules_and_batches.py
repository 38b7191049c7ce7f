"""outbox, job queue, schedules and batches

Revision ID: host0004
Revises: host0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "host0004"
down_revision: str | Sequence[str] | None = "host0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
