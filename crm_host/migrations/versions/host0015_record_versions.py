"""customers get a version counter: ETag / If-Match and ORM writes refuse stale updates

Revision ID: host0015
Revises: host0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from crm_host.core.migration_ops import add_version_columns, drop_version_columns

revision: str = "host0015"
down_revision: str | Sequence[str] | None = "host0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_version_columns(["customers"])


def downgrade() -> None:
    drop_version_columns(["customers"])
