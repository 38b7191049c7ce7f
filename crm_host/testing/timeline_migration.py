"""The round trip a plugin's typed-timeline migration must make, checked once for all.

A plugin that wrote ``<prefix><id>`` reference strings on the timeline converts them
with :func:`crm_host.sdk.migrations.type_timeline_references`; its test states the old
strings and what they become, and :func:`check_typed_timeline_round_trip` does the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.core.models import Customer
from crm_host.domain import lifecycle
from crm_host.plugins.facade import discover, order_plugins
from crm_host.testing.databases import TestDatabases


def _entries(database: Database) -> list[tuple]:
    with database.engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT reference, object_type, object_id, source_plugin FROM interactions "
                "ORDER BY id"
            )
        ).all()


def check_typed_timeline_round_trip(
    databases: TestDatabases,
    *,
    plugin: str,
    before: str,
    old: Mapping[str, tuple[str, int]],
    foreign: str,
) -> None:
    """Entries of ``plugin`` written as the ``old`` strings become the typed references
    ``old`` maps them to on the way up to the plugin's head, and the strings again on
    the way down to ``before`` (``<branch>@<revision>``); ``foreign``, the same kind of
    string written by the host, is left alone both ways."""
    database = Database(databases.create(f"{plugin}-typed-timeline"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, plugin)
        manifests = order_plugins(discovery.manifests, [plugin])
        migrate.downgrade(database, manifests, before)
        with database.session() as session:
            customer = Customer(code="C1", kind="person", name="王芳")
            session.add(customer)
            session.flush()
            customer_id = customer.id
        with database.engine.begin() as connection:
            insert = sa.text(
                "INSERT INTO interactions (customer_id, source_plugin, channel, direction, "
                "subject, occurred_at, reference, created_at) VALUES (:c, :p, 'note', "
                "'internal', 's', CURRENT_TIMESTAMP, :r, CURRENT_TIMESTAMP)"
            )
            for reference in old:
                connection.execute(insert, {"c": customer_id, "p": plugin, "r": reference})
            # Another writer's string is not the plugin's to convert.
            connection.execute(insert, {"c": customer_id, "p": None, "r": foreign})
        migrate.upgrade(database, manifests, before.split("@")[0] + "@head")
        assert _entries(database) == [
            *((None, t, i, plugin) for t, i in old.values()),
            (foreign, None, None, None),
        ]
        migrate.downgrade(database, manifests, before)
        assert _entries(database) == [
            *((r, None, None, plugin) for r in old),
            (foreign, None, None, None),
        ]
    finally:
        database.dispose()
