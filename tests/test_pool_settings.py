"""Connection pool settings come from the configuration, for server databases only."""

from __future__ import annotations

import pytest

from crm_host.core.db import pool_settings


def test_pool_settings_for_postgresql():
    config = {
        "DATABASE_URL": "postgresql+psycopg://crm@db/crm",
        "DATABASE_POOL_SIZE": "20",
        "DATABASE_MAX_OVERFLOW": 5,
        "DATABASE_POOL_RECYCLE": "1800",
    }
    assert pool_settings(config) == {"pool_size": 20, "max_overflow": 5, "pool_recycle": 1800}


def test_sqlite_keeps_its_own_pool():
    assert pool_settings({"DATABASE_URL": "sqlite:///x.db", "DATABASE_POOL_SIZE": "20"}) == {}


def test_a_bad_value_names_the_setting():
    with pytest.raises(ValueError, match="CRM_DATABASE_POOL_SIZE must be a number, not 'many'"):
        pool_settings({"DATABASE_URL": "postgresql://x/y", "DATABASE_POOL_SIZE": "many"})
