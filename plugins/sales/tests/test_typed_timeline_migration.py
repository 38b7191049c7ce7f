"""sales0009 turns the sales timeline's reference strings into typed references and back."""

from __future__ import annotations

import sqlalchemy as sa

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.domain import lifecycle
from crm_host.plugins.facade import discover, order_plugins
from crm_host.sdk import Customer

OLD = {
    "sales_lead:3": ("sales.lead", 3),
    "sales_quote:14": ("sales.quote", 14),
    "sales_order:15": ("sales.order", 15),
    "sales_activity:926": ("sales.activity", 926),
}


def _entries(database: Database) -> list[tuple]:
    with database.engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT reference, object_type, object_id, source_plugin FROM interactions "
                "ORDER BY id"
            )
        ).all()


def test_old_references_become_typed_and_come_back(crm_databases):
    database = Database(crm_databases.create("sales-typed-timeline"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, "sales")
        manifests = order_plugins(discovery.manifests, ["sales"])
        migrate.downgrade(database, manifests, "sales@sales0008")
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
                connection.execute(insert, {"c": customer, "p": "sales", "r": reference})
            # Another writer's string is not sales' to convert.
            connection.execute(insert, {"c": customer, "p": None, "r": "sales_lead:9"})
        migrate.upgrade(database, manifests, "sales@head")
        assert _entries(database) == [
            *((None, t, i, "sales") for t, i in OLD.values()),
            ("sales_lead:9", None, None, None),
        ]
        migrate.downgrade(database, manifests, "sales@sales0008")
        assert _entries(database) == [
            *((r, None, None, "sales") for r in OLD),
            ("sales_lead:9", None, None, None),
        ]
    finally:
        database.dispose()
