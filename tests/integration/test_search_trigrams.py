"""Every plain searchable column has a trigram index on PostgreSQL, and search uses it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core.host import get_host
from crm_host.core.objects.indexes import expected_search_indexes, missing_search_indexes

EXPECTED = {
    "ix_contacts_name_trgm": ("contacts", "name"),
    "ix_service_tickets_subject_trgm": ("service_tickets", "subject"),
    "ix_service_kb_articles_title_trgm": ("service_kb_articles", "title"),
    "ix_sales_leads_name_trgm": ("sales_leads", "name"),
    "ix_sales_leads_company_trgm": ("sales_leads", "company"),
    "ix_sales_opportunities_name_trgm": ("sales_opportunities", "name"),
    "ix_sales_quotes_number_trgm": ("sales_quotes", "number"),
    "ix_marketing_campaigns_name_trgm": ("marketing_campaigns", "name"),
    "ix_marketing_segments_name_trgm": ("marketing_segments", "name"),
    "ix_power_accounts_number_trgm": ("power_accounts", "number"),
    "ix_power_accounts_service_point_trgm": ("power_accounts", "service_point"),
}


def test_the_registry_expects_one_index_per_plain_searchable_column(app):
    # Customers bring their own match (codes, name grams), so no trigram index of theirs.
    assert expected_search_indexes(get_host(app).objects) == EXPECTED


def test_db_check_finds_every_search_index(app, crm_database_backend):
    """On PostgreSQL the migrations made them all; elsewhere none is expected."""
    assert missing_search_indexes(get_host(app).db.engine, get_host(app).objects) == []


def test_db_check_names_a_dropped_search_index(app, db, crm_database_backend):
    if crm_database_backend != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    db.execute(sa.text("DROP INDEX ix_service_tickets_subject_trgm"))  # undone with the test
    assert missing_search_indexes(db.connection(), get_host(app).objects) == [
        "missing search index ix_service_tickets_subject_trgm on service_tickets.subject"
        " (run crm db upgrade)"
    ]


@pytest.mark.parametrize("type_name", ["contact", "service.ticket", "power.account"])
def test_search_uses_the_trigram_index(app, db, crm_database_backend, type_name):
    if crm_database_backend != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    spec = get_host(app).objects.get(type_name)
    query = sa.select(spec.id_column).where(spec.matches(db, None, "检修投诉abc", "postgresql"))
    compiled = query.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    # The tables are nearly empty: without this the planner rightly prefers a scan.
    db.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.execute(sa.text(f"EXPLAIN {compiled}")).scalars())
    for column in spec.searchable:
        table, name = column.property.columns[0].table.name, column.key
        assert f"ix_{table}_{name}_trgm" in plan, plan
