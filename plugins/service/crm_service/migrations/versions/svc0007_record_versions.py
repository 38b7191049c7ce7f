"""service: tickets get a version counter for ETag / If-Match

Revision ID: svc0007
Revises: svc0006
Create Date: 2026-12-07

Every row starts at version 1; ORM writes raise it and refuse a stale update.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import add_version_columns, drop_version_columns

revision: str = "svc0007"
down_revision: str | Sequence[str] | None = "svc0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("service_tickets",)


def upgrade() -> None:
    add_version_columns(TABLES)


def downgrade() -> None:
    drop_version_columns(TABLES)
