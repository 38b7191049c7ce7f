"""service: trigram indexes for global search on ticket subjects and article titles

Revision ID: svc0008
Revises: svc0007
Create Date: 2026-12-07

Global search asks ``column ILIKE '%q%'`` of each searchable column; on PostgreSQL a
pg_trgm GIN index answers that without reading the table. SQLite has no such index
and scans, which is fine at the embedded default's size.
"""

from collections.abc import Sequence

from alembic import op

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
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _column in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
