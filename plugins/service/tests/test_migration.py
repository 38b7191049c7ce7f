"""The service branch installs on its own, seeds the ticket types, and goes down and up."""

from __future__ import annotations

import sqlalchemy as sa

from crm_host import lifecycle, migrate
from crm_host.db import Database
from crm_host.plugins import discover, order_plugins

TABLES = {
    "service_ticket_types",
    "service_sla_policies",
    "service_tickets",
    "service_ticket_messages",
    "service_queue_cursors",
}


def tables(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return {t for t in sa.inspect(connection).get_table_names() if t.startswith("service_")}


def test_the_branch_installs_seeds_and_round_trips(crm_databases):
    database = Database(crm_databases.create("service-branch"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, "service")
        assert tables(database) == TABLES
        with database.engine.connect() as connection:
            codes = connection.scalars(sa.text("SELECT code FROM service_ticket_types")).all()
        assert sorted(codes) == ["complaint", "fault_repair", "inquiry", "request"]
        manifests = order_plugins(discovery.manifests, ["service"])
        migrate.downgrade(database, manifests, "service@base")
        assert tables(database) == set()
        migrate.upgrade(database, manifests, "service@head")
        assert tables(database) == TABLES
        absent = [f"{m.slug}_" for m in discovery.manifests.values() if m.name != "service"]
        assert migrate.schema_drift(database, absent) == []
    finally:
        database.dispose()
