"""host0004 creates the runtime's tables and its downgrade removes exactly them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core import migrate
from crm_host.core.db import Database


def schema(database: Database) -> dict[str, object]:
    with database.engine.connect() as connection:
        inspector = sa.inspect(connection)
        return {
            table: (
                sorted(c["name"] for c in inspector.get_columns(table)),
                sorted(i["name"] for i in inspector.get_indexes(table)),
                sorted(str(f["name"]) for f in inspector.get_foreign_keys(table)),
            )
            for table in sorted(inspector.get_table_names())
        }


def test_host0004_goes_up_and_down_cleanly_with_rows_in_it(crm_databases):
    database = Database(crm_databases.create("host0004"))
    try:
        migrate.upgrade(database, [], "host@host0003")
        before = schema(database)
        migrate.upgrade(database, [], "host@host0004")
        after = schema(database)
        assert set(after) - set(before) == {"jobs", "outbox_events", "webhook_subscriptions"}
        assert "ix_jobs_status_run_after" in after["jobs"][1]
        with database.engine.begin() as connection:
            event_id = connection.execute(
                sa.text(
                    "INSERT INTO outbox_events (name, payload, created_at) "
                    "VALUES ('crm_customer_erased', '{}', CURRENT_TIMESTAMP) RETURNING id"
                )
            ).scalar_one()
            connection.execute(
                sa.text(
                    "INSERT INTO jobs (name, event_id, args, status, attempts, max_attempts, "
                    "run_after, created_at, progress_done) VALUES ('host.event', :e, '{}', "
                    "'queued', 0, 8, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
                ),
                {"e": event_id},
            )
            bad_status = sa.text(
                "INSERT INTO jobs (name, args, status, attempts, max_attempts, run_after, "
                "created_at, progress_done) VALUES ('x.y', '{}', 'lost', 0, 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
            )
        with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
            connection.execute(bad_status)  # ck_jobs_status
        migrate.downgrade(database, [], "host@host0003")
        assert schema(database) == before
        migrate.upgrade(database, [], "host@head")
    finally:
        database.dispose()
