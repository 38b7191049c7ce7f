"""power: accounts get a version counter for ETag / If-Match

Revision ID: power0006
Revises: power0005
Create Date: 2026-12-07

Every row starts at version 1; ORM writes raise it and refuse a stale update.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import add_version_columns, drop_version_columns

revision: str = "power0006"
down_revision: str | Sequence[str] | None = "power0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("power_accounts",)


def upgrade() -> None:
    add_version_columns(TABLES)


def downgrade() -> None:
    drop_version_columns(TABLES)
