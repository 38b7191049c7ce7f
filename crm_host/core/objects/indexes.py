"""The trigram indexes global search expects on PostgreSQL, and which ones are missing.

Every plain searchable column (a type with its own ``match`` brings its own index)
should have ``ix_<table>_<column>_trgm``, made by its owner's migration; ``crm db
check`` reports one that is missing, since search would still answer, only slowly.
"""

from __future__ import annotations

import sqlalchemy as sa

from crm_host.core.objects.registry import ObjectRegistry

#: The suffix of the search indexes: the models do not describe them (they exist on
#: PostgreSQL only), so the schema comparison leaves them out.
SUFFIX = "_trgm"


def expected_search_indexes(registry: ObjectRegistry) -> dict[str, tuple[str, str]]:
    """``{index name: (table, column)}`` of every plain searchable column."""
    expected = {}
    for spec in registry:
        if spec.match is not None:
            continue
        for attribute in spec.searchable:
            column = attribute.property.columns[0]
            expected[f"ix_{column.table.name}_{column.name}{SUFFIX}"] = (
                column.table.name,
                column.name,
            )
    return expected


def missing_search_indexes(bind: sa.Engine | sa.Connection, registry: ObjectRegistry) -> list[str]:
    """The expected search indexes the database lacks, in words (none off PostgreSQL)."""
    if bind.dialect.name != "postgresql":
        return []
    inspector = sa.inspect(bind)
    problems = []
    for name, (table, column) in sorted(expected_search_indexes(registry).items()):
        present = {index["name"] for index in inspector.get_indexes(table)}
        if name not in present:
            problems.append(f"missing search index {name} on {table}.{column} (run crm db upgrade)")
    return problems
