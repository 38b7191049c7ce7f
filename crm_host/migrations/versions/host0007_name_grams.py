"""customer name search by any part of the name, Chinese two-character names included

PostgreSQL's trigram index cannot find a two-character name such as 王芳, and it
treats CJK characters as non-word characters in many locales. The index here is
on the name's unigrams and bigrams instead: every query of one or more characters
is answered from it, then confirmed with a plain substring test. SQLite has no such
index; it scans, which is fine at the embedded default's size.

Revision ID: host0007
Revises: host0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "host0007"
down_revision: str | Sequence[str] | None = "host0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE OR REPLACE FUNCTION crm_name_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (
        SELECT substr(name, i, 1) AS gram FROM generate_series(1, length(name)) AS i
        UNION ALL
        SELECT substr(name, i, 2) FROM generate_series(1, length(name) - 1) AS i
    ) AS grams
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(
        "CREATE INDEX ix_customers_name_grams ON customers USING gin (crm_name_grams(search_name))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_customers_name_grams")
    op.execute("DROP FUNCTION IF EXISTS crm_name_grams(text)")
