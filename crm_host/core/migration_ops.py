"""Operations the host's and the plugins' migrations share, so each revision says *what*.

A migration of a plugin imports these instead of writing the steps again: a version
counter for ETag / If-Match (:mod:`crm_host.core.versioning`), and the pg_trgm indexes global
search reads (their names end in ``_trgm``, which ``crm db check`` knows).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

#: (index name, table, column) of one trigram index.
TrigramIndex = tuple[str, str, str]


def add_version_columns(tables: Iterable[str]) -> None:
    """Give each table the ``version`` counter; existing rows start at 1, as new ones do."""
    for table in tables:
        # Batch mode: SQLite cannot add a NOT NULL column to a table in place.
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
            )


def drop_version_columns(tables: Iterable[str]) -> None:
    """Undo :func:`add_version_columns` (pass the same tables)."""
    for table in reversed(list(tables)):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")


def create_trigram_indexes(indexes: Iterable[TrigramIndex]) -> None:
    """On PostgreSQL, a pg_trgm GIN index per searchable column; nothing elsewhere.

    Global search asks ``column ILIKE '%q%'``; the index answers that without reading
    the table. SQLite has no such index and scans, which is fine at its size.
    """
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in indexes:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(indexes: Iterable[TrigramIndex]) -> None:
    """Undo :func:`create_trigram_indexes` (pass the same indexes)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _column in indexes:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def replace_status_check(
    table: str, column: str, values: Iterable[str], *, name: str = "status"
) -> None:
    """Make ``ck_<table>_<name>`` say ``column IN (values)``, dropping any older one.

    The migration side of :func:`crm_host.core.db.status_type`: used to put the CHECK on a
    status column stored as a bare string, and to add or remove a value later. Batch
    mode, so SQLite (which cannot alter a constraint in place) copies the table.
    """
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    constraint = f"ck_{table}_{name}"
    inspector = sa.inspect(op.get_bind())
    present = {check["name"] for check in inspector.get_check_constraints(table)}
    with op.batch_alter_table(table) as batch:
        if constraint in present or name in present:
            existing = constraint if constraint in present else name
            batch.drop_constraint(op.f(existing), type_="check")
        # op.f: the name is final, not to be passed through the naming convention again.
        batch.create_check_constraint(op.f(constraint), f"{column} IN ({listed})")


#: (the old reference prefix, e.g. ``sales_lead:``, the registered object type it
#: pointed at, e.g. ``sales.lead``) of one kind of timeline entry.
ReferenceFormat = tuple[str, str]


def type_timeline_references(plugin: str, formats: Iterable[ReferenceFormat]) -> None:
    """Turn the plugin's ``<prefix><id>`` timeline references into typed ones.

    For a plugin that wrote pointers as strings on the timeline before entries named
    their object as ``(object_type, object_id)`` (host0018): each entry of the
    plugin whose ``reference`` starts with a prefix gets the type and the id, and the
    string, which was only a pointer, is cleared.
    """
    for prefix, object_type in formats:
        # substr/CAST/|| mean the same on SQLite and PostgreSQL.
        op.execute(
            sa.text(
                "UPDATE interactions SET object_type = :type, "
                "object_id = CAST(substr(reference, :start) AS BIGINT), reference = NULL "
                "WHERE source_plugin = :plugin AND substr(reference, 1, :length) = :prefix"
            ).bindparams(
                type=object_type,
                start=len(prefix) + 1,
                plugin=plugin,
                length=len(prefix),
                prefix=prefix,
            )
        )


def untype_timeline_references(plugin: str, formats: Iterable[ReferenceFormat]) -> None:
    """Undo :func:`type_timeline_references` (pass the same formats): the strings back."""
    for prefix, object_type in formats:
        op.execute(
            sa.text(
                "UPDATE interactions SET reference = :prefix || CAST(object_id AS VARCHAR(20)), "
                "object_type = NULL, object_id = NULL "
                "WHERE source_plugin = :plugin AND object_type = :type"
            ).bindparams(prefix=prefix, plugin=plugin, type=object_type)
        )
