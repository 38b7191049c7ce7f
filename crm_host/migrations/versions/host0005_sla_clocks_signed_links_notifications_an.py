"""(no change) — reserved for SLA clocks, signed links, notifications and
attachments, which landed together in host0009; kept so that databases already at
this revision upgrade in a straight line

Revision ID: host0005
Revises: host0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "host0005"
down_revision: str | Sequence[str] | None = "host0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
