"""Orders are indexed by customer and amount, so segments group them from the index."""

from __future__ import annotations

import sqlalchemy as sa

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.domain import lifecycle
from crm_host.plugins.facade import discover

INDEX = "ix_sales_orders_customer_amount"


def _order_indexes(database: Database) -> dict[str, list[str]]:
    with database.engine.connect() as connection:
        return {
            index["name"]: index["column_names"]
            for index in sa.inspect(connection).get_indexes("sales_orders")
        }


def test_the_index_comes_with_sales0006_and_goes_with_its_downgrade(crm_databases):
    database = Database(crm_databases.create("sales-order-index"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, "sales")
        manifests = [discovery.manifests["sales"]]
        assert _order_indexes(database)[INDEX] == ["customer_id", "amount"]
        migrate.downgrade(database, manifests, "sales@sales0005")
        indexes = _order_indexes(database)
        assert INDEX not in indexes and "ix_sales_orders_customer_ordered" in indexes
        migrate.upgrade(database, manifests, "sales@head")
        assert _order_indexes(database)[INDEX] == ["customer_id", "amount"]
    finally:
        database.dispose()


def test_the_model_declares_the_same_index():
    from crm_sales.models import Order

    declared = {index.name: [c.name for c in index.columns] for index in Order.__table__.indexes}
    assert declared[INDEX] == ["customer_id", "amount"]
