"""Writing and finding an import batch's rows in the session's transaction, in bulk.

SQLAlchemy Core's executemany processes every parameter of every row in Python, which
for a batch of thousands of rows costs more than the database's own work. Here each
column's values go through the column type's bind processor once per distinct value
(so they are stored exactly as Core would store them), and the rows go to the driver
whole: PostgreSQL ``COPY``, SQLite's ``executemany``. Lookups by a batch's keys bind
the keys as one parameter — an array on PostgreSQL, a JSON array on SQLite — rather
than one parameter per key, which SQLite caps at 32,766.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

#: SQLite's page cache while a batch is written, in KiB. A big import inserts into a
#: dozen indexes of ``customers``; with the default 2 MB, SQLite keeps reading back
#: the index pages it has just written. The setting lasts as long as the pooled
#: connection: it is a ceiling on memory, not an allocation.
SQLITE_CACHE_KIB = 64 * 1024


@contextmanager
def collecting_later() -> Iterator[None]:
    """Hold the cyclic garbage collector back while a batch is checked and written.

    A batch makes tens of thousands of short-lived containers (records, rows, cleaned
    values); each few hundred of them trigger a collection that walks every live
    object of the process, which took half of the checking time. Reference counting
    still frees the batch's objects at once; cycles wait for the next collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def make_room(session: Session) -> None:
    """Give the session's connection a page cache fit for bulk writes (SQLite only)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def insert_rows(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (values in the order of ``columns``) into ``table`` in the
    session's transaction; column defaults are not applied, so give every value."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    postgres = dialect.name == "postgresql"
    stored = [
        _stored(
            values,
            table.c[name].type.bind_processor(dialect),
            json_text=postgres and isinstance(table.c[name].type, sa.JSON),
        )
        for name, values in zip(columns, zip(*rows, strict=True), strict=True)
    ]
    rows = list(zip(*stored, strict=True))
    names = ", ".join(columns)
    if postgres:
        _copy(connection, f"COPY {table.name} ({names}) FROM STDIN", rows)
    else:
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


def _copy(connection: sa.Connection, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """``COPY`` the rows through the driver's own connection, inside the session's
    transaction (and savepoint); its errors come out as SQLAlchemy's, as a Core
    statement's would (a full disk is recognised by the import job)."""
    import psycopg

    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        raise sa.exc.DBAPIError.instance(
            statement, None, error, psycopg.Error, dialect=connection.dialect
        ) from error


def _stored(values: Sequence[Any], process: Any, *, json_text: bool) -> Sequence[Any]:
    """``values`` as the driver takes them: bind-processed, each distinct value once;
    on PostgreSQL, JSON as its text (``COPY`` has no adapter for dicts)."""
    if process is None and not json_text:
        return values
    done: dict[Hashable, Any] = {None: None}
    out = []
    append = out.append
    for value in values:
        kind = value.__class__
        # Types are part of the key: 1, 1.0 and True are equal but stored apart.
        if kind is dict:
            key: Hashable = (dict, *((k, v.__class__, v) for k, v in value.items()))
        else:
            key = None if value is None else (kind, value)
        try:
            append(done[key])
        except KeyError:
            append(done.setdefault(key, _store(value, process, json_text)))
        except TypeError:  # not hashable: a list, a dict holding one
            append(_store(value, process, json_text))
    return out


def _store(value: Any, process: Any, json_text: bool) -> Any:
    if process is not None:
        value = process(value)
    if json_text and isinstance(value, dict | list):
        value = json.dumps(value)
    return value


def matching(session: Session, column: sa.ColumnElement[Any], keys: Iterable[Any]) -> Any:
    """A condition: ``column`` is one of ``keys``, however many, bound as one value."""
    keys = list(keys)
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.literal(keys, postgresql.ARRAY(column.type)))
    found = sa.func.json_each(sa.literal(json.dumps(keys), sa.String())).table_valued("value")
    return column.in_(sa.select(found.c.value))
