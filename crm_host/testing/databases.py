"""Throw-away databases for tests: SQLite files, or PostgreSQL databases created and dropped.

``CRM_TEST_DATABASE_URL`` names a PostgreSQL *server* (any database on it to connect
to, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); each test run
creates databases of its own there and drops them at the end.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import sqlalchemy as sa

ENV_VAR = "CRM_TEST_DATABASE_URL"


def server_url() -> sa.URL | None:
    """The PostgreSQL server tests should use, or ``None`` for SQLite."""
    value = os.environ.get(ENV_VAR, "").strip()
    return sa.make_url(value) if value else None


class TestDatabases:
    """Creates databases on demand and drops every one of them at :meth:`close`."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, directory: Path, server: sa.URL | None = None) -> None:
        self.directory = directory
        self.server = server
        self.prefix = f"crm_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return "postgresql" if self.server is not None else "sqlite"

    def create(self, label: str) -> sa.URL:
        """A new, empty database; ``label`` makes its name readable."""
        name = f"{self.prefix}_{label}_{len(self.created)}"
        self.created.append(name)
        if self.server is None:
            return sa.make_url(f"sqlite:///{self.directory / (name + '.sqlite3')}")
        admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            admin.dispose()
        return self.server.set(database=name)

    def copy(self, source: sa.URL, label: str) -> sa.URL:
        """A new database holding what ``source`` (one of these databases) holds now.

        SQLite copies through its backup API (the database is in WAL mode: the file
        alone may miss the latest writes); PostgreSQL makes it with ``CREATE DATABASE … TEMPLATE``,
        which needs nobody connected to ``source``: connections left open to it (an
        engine's pool) are ended first. Copying a seeded database is far quicker than
        seeding it again.
        """
        name = f"{self.prefix}_{label}_{len(self.created)}"
        self.created.append(name)
        if self.server is None:
            target = self.directory / (name + ".sqlite3")
            reader, writer = sqlite3.connect(str(source.database)), sqlite3.connect(target)
            try:
                reader.backup(writer)
            finally:
                writer.close()
                reader.close()
            return sa.make_url(f"sqlite:///{target}")
        admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": source.database},
                )
                connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"')
        finally:
            admin.dispose()
        return self.server.set(database=name)

    def close(self) -> None:
        """Drop every database created (SQLite files go with the temporary directory)."""
        if self.server is None:
            return
        admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                for name in self.created:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            admin.dispose()
