"""power0008 turns the power timeline's reference strings into typed references and back."""

from __future__ import annotations

import sqlalchemy as sa

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.domain import lifecycle
from crm_host.plugins.facade import discover, order_plugins
from crm_host.sdk import Customer

OLD = {"power-fault:5": ("power.fault", 5), "power-fault:61": ("power.fault", 61)}


def _entries(database: Database) -> list[tuple]:
    with database.engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT reference, object_type, object_id, source_plugin FROM interactions "
                "ORDER BY id"
            )
        ).all()


def test_old_references_become_typed_and_come_back(crm_databases):
    database = Database(crm_databases.create("power-typed-timeline"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, "industry_power")
        manifests = order_plugins(discovery.manifests, ["industry_power"])
        migrate.downgrade(database, manifests, "power@power0007")
        with database.session() as session:
            customer = Customer(code="C1", kind="person", name="王芳")
            session.add(customer)
            session.flush()
            customer = customer.id
        with database.engine.begin() as connection:
            insert = sa.text(
                "INSERT INTO interactions (customer_id, source_plugin, channel, direction, "
                "subject, occurred_at, reference, created_at) VALUES (:c, :p, 'note', "
                "'internal', 's', CURRENT_TIMESTAMP, :r, CURRENT_TIMESTAMP)"
            )
            for reference in OLD:
                connection.execute(insert, {"c": customer, "p": "industry_power", "r": reference})
            # Another writer's string is not power's to convert.
            connection.execute(insert, {"c": customer, "p": None, "r": "power-fault:9"})
        migrate.upgrade(database, manifests, "power@head")
        assert _entries(database) == [
            *((None, t, i, "industry_power") for t, i in OLD.values()),
            ("power-fault:9", None, None, None),
        ]
        migrate.downgrade(database, manifests, "power@power0007")
        assert _entries(database) == [
            *((r, None, None, "industry_power") for r in OLD),
            ("power-fault:9", None, None, None),
        ]
    finally:
        database.dispose()
