"""industry_power: trigram indexes for global search on account numbers and service points

Revision ID: power0007
Revises: power0006
Create Date: 2026-12-07

Global search asks ``column ILIKE '%q%'`` of each searchable column; on PostgreSQL a
pg_trgm GIN index answers that without reading the table. SQLite has no such index
and scans, which is fine at the embedded default's size.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import create_trigram_indexes, drop_trigram_indexes

revision: str = "power0007"
down_revision: str | Sequence[str] | None = "power0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index, table, column): the names end in ``_trgm``, which ``crm db check`` knows.
INDEXES = (
    ("ix_power_accounts_number_trgm", "power_accounts", "number"),
    ("ix_power_accounts_service_point_trgm", "power_accounts", "service_point"),
)


def upgrade() -> None:
    create_trigram_indexes(INDEXES)


def downgrade() -> None:
    drop_trigram_indexes(INDEXES)
