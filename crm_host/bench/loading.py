"""Loading generated rows the fastest plain way each database has, for benchmark set-up.

Set-up is not what a benchmark measures, so rows go in by PostgreSQL ``COPY`` or by
SQLite ``executemany`` in one transaction, with each column's own bind processor so
dates and JSON are stored exactly as the models would store them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

BATCH = 50_000


def bulk_insert(
    url: sa.URL, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (values in the order of ``columns``) into ``table``; returns the count."""
    if url.get_backend_name() == "postgresql":
        return _copy(url, table.name, columns, rows)
    return _executemany(url, table, columns, rows)


def _copy(url: sa.URL, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    import psycopg

    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    count = 0
    with (
        psycopg.connect(dsn) as connection,
        connection.cursor() as cursor,
        cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
            count += 1
    return count


def _executemany(
    url: sa.URL, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    dialect = sqlite_dialect.dialect()
    processors = [table.c[c].type.bind_processor(dialect) for c in columns]
    # Dates and JSON values repeat across rows: process each distinct value once.
    memo: dict[tuple[int, Any], Any] = {}

    def stored(index: int, value: Any) -> Any:
        process = processors[index]
        if process is None or value is None or isinstance(value, str | int | float):
            return value
        key = (index, json.dumps(value) if isinstance(value, dict) else value)
        if key not in memo:
            memo[key] = process(value)
        return memo[key]

    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    count = 0
    connection = sqlite3.connect(url.database or "")
    try:
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            connection.executemany(
                statement, [tuple(stored(i, v) for i, v in enumerate(row)) for row in batch]
            )
            count += len(batch)
        connection.commit()
    finally:
        connection.close()
    return count
