"""marketing: trigram indexes for global search on campaign and segment names

Revision ID: mkt0010
Revises: mkt0009
Create Date: 2026-12-07

Global search asks ``column ILIKE '%q%'`` of each searchable column; on PostgreSQL a
pg_trgm GIN index answers that without reading the table. SQLite has no such index
and scans, which is fine at the embedded default's size.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import create_trigram_indexes, drop_trigram_indexes

revision: str = "mkt0010"
down_revision: str | Sequence[str] | None = "mkt0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index, table, column): the names end in ``_trgm``, which ``crm db check`` knows.
INDEXES = (
    ("ix_marketing_campaigns_name_trgm", "marketing_campaigns", "name"),
    ("ix_marketing_segments_name_trgm", "marketing_segments", "name"),
)


def upgrade() -> None:
    create_trigram_indexes(INDEXES)


def downgrade() -> None:
    drop_trigram_indexes(INDEXES)
