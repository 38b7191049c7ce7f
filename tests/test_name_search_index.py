"""On PostgreSQL, searching part of a name — two Chinese characters included — uses an index."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core.models import Customer
from crm_host.domain.customers.search import search_condition


def test_two_character_search_uses_the_gram_index(db, crm_database_backend):
    if crm_database_backend != "postgresql":
        pytest.skip("the gram index exists on PostgreSQL only")
    query = sa.select(Customer.id).where(search_condition("王芳", "postgresql"))
    compiled = query.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    db.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.execute(sa.text(f"EXPLAIN {compiled}")).scalars())
    assert "ix_customers_name_grams" in plan


def test_grams_cover_one_and_two_characters(db, crm_database_backend):
    if crm_database_backend != "postgresql":
        pytest.skip("the gram function exists on PostgreSQL only")
    grams = db.scalar(sa.select(sa.func.crm_name_grams("王芳芳")))
    assert sorted(grams) == sorted(["王", "芳", "王芳", "芳芳"])
