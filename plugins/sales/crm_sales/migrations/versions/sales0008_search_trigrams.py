"""sales: trigram indexes for global search on lead names and companies, opportunity names, quote numbers

Revision ID: sales0008
Revises: sales0007
Create Date: 2026-12-07

Global search asks ``column ILIKE '%q%'`` of each searchable column; on PostgreSQL a
pg_trgm GIN index answers that without reading the table. SQLite has no such index
and scans, which is fine at the embedded default's size.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import create_trigram_indexes, drop_trigram_indexes

revision: str = "sales0008"
down_revision: str | Sequence[str] | None = "sales0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index, table, column): the names end in ``_trgm``, which ``crm db check`` knows.
INDEXES = (
    ("ix_sales_leads_name_trgm", "sales_leads", "name"),
    ("ix_sales_leads_company_trgm", "sales_leads", "company"),
    ("ix_sales_opportunities_name_trgm", "sales_opportunities", "name"),
    ("ix_sales_quotes_number_trgm", "sales_quotes", "number"),
)


def upgrade() -> None:
    create_trigram_indexes(INDEXES)


def downgrade() -> None:
    drop_trigram_indexes(INDEXES)
