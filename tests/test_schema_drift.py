"""The migrations build exactly the schema the models describe (host and installed plugins)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from crm_host.db import Base, Database
from crm_host.plugins import discover


def test_migrated_schema_matches_the_models(crm_installation):
    # Models of plugins present but not installed here (imported by other tests) are
    # not expected in this database.
    absent = [
        f"{m.slug}_"
        for m in discover().manifests.values()
        if m.name not in crm_installation.plugins
    ]

    def include(obj, name, type_, reflected, compare_to):
        return not (type_ == "table" and not reflected and name.startswith(tuple(absent)))

    database = Database(crm_installation.url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        database.dispose()
    assert differences == []
