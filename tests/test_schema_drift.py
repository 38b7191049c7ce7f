"""The migrations build exactly the schema the models describe (host and installed plugins)."""

from __future__ import annotations

import pytest

from crm_host.core.db import Database
from crm_host.core.migrate import schema_drift
from crm_host.plugins.facade import discover


def test_migrated_schema_matches_the_models(crm_installation):
    # Models of plugins present but not installed here (imported by other tests) are
    # not expected in this database.
    absent = [
        f"{m.slug}_"
        for m in discover().manifests.values()
        if m.name not in crm_installation.plugins
    ]
    database = Database(crm_installation.url)
    try:
        assert schema_drift(database, absent) == []
    finally:
        database.dispose()


def test_db_check_reports_pending_migrations_and_missing_indexes(crm_databases, tmp_path):
    from crm_host.cli.main import cli as crm
    from crm_host.core.migrate import downgrade
    from crm_host.testing import build_app, prepare_database

    url = crm_databases.create("dbcheck")
    prepare_database(url, [], {})
    app = build_app(url, tmp_path)
    runner = app.test_cli_runner()
    ok = runner.invoke(crm, ["db", "check"])
    assert ok.exit_code == 0, ok.output
    database = Database(url)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_customers_search_name_id")
    missing = runner.invoke(crm, ["db", "check"])
    assert missing.exit_code == 1
    assert "missing index ix_customers_search_name_id on customers" in missing.output
    downgrade(database, [], "host@-1")
    pending = runner.invoke(crm, ["db", "check"])
    assert pending.exit_code == 1 and "run crm db upgrade" in pending.output
    database.dispose()


def test_db_check_reports_a_missing_name_search_index(
    crm_databases, crm_database_backend, tmp_path
):
    if crm_database_backend != "postgresql":
        pytest.skip("the gram index exists on PostgreSQL only")
    from crm_host.cli.main import cli as crm
    from crm_host.testing import build_app, prepare_database

    url = crm_databases.create("gramcheck")
    prepare_database(url, [], {})
    runner = build_app(url, tmp_path).test_cli_runner()
    assert runner.invoke(crm, ["db", "check"]).exit_code == 0
    database = Database(url)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_customers_name_grams")
    missing = runner.invoke(crm, ["db", "check"])
    assert missing.exit_code == 1
    assert "missing index ix_customers_name_grams on customers" in missing.output
    database.dispose()
