"""host: trigram indexes for global search on contacts' names (global search)

Revision ID: host0017
Revises: host0016
Create Date: 2026-12-07

Global search asks ``column ILIKE '%q%'`` of each searchable column; on PostgreSQL a
pg_trgm GIN index answers that without reading the table. SQLite has no such index
and scans, which is fine at the embedded default's size.
"""

from collections.abc import Sequence

from crm_host.core.migration_ops import create_trigram_indexes, drop_trigram_indexes

revision: str = "host0017"
down_revision: str | Sequence[str] | None = "host0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index, table, column): the names end in ``_trgm``, which ``crm db check`` knows.
INDEXES = (("ix_contacts_name_trgm", "contacts", "name"),)


def upgrade() -> None:
    create_trigram_indexes(INDEXES)


def downgrade() -> None:
    drop_trigram_indexes(INDEXES)
