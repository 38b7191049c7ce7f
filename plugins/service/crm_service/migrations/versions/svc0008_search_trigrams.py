"""service: trigram indexes for global search on ticket subjects and article titles

Revision ID: svc0008
Revises: svc0007
Create Date: 2026-12-07

Global search asks ``column ILIKE '%q%'`` of each searchable column; on PostgreSQL a
pg_trgm GIN index answers that without reading the table. SQLite has no such index
and scans, which is fine at the embedded default's size.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import create_trigram_indexes, drop_trigram_indexes

revision: str = "svc0008"
down_revision: str | Sequence[str] | None = "svc0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index, table, column): the names end in ``_trgm``, which ``crm db check`` knows.
INDEXES = (
    ("ix_service_tickets_subject_trgm", "service_tickets", "subject"),
    ("ix_service_kb_articles_title_trgm", "service_kb_articles", "title"),
)


def upgrade() -> None:
    create_trigram_indexes(INDEXES)


def downgrade() -> None:
    drop_trigram_indexes(INDEXES)
