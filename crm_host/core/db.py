"""Database engine, sessions and the declarative base every model shares.

One :class:`Database` per application. The embedded default is a SQLite file in
WAL mode with foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for writing
transactions (a deferred transaction that later writes cannot wait for the lock and
fails at once with ``SQLITE_BUSY``); PostgreSQL is used when ``CRM_DATABASE_URL``
names it.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000


def utcnow() -> datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp that is always stored and returned timezone-aware in UTC.

    PostgreSQL keeps ``timestamp with time zone``; SQLite has no such type, so the
    value is stored as naive UTC and the zone is put back on the way out. Naive
    datetimes are refused: a wall-clock time without a zone is ambiguous.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def status_type(values: type[enum.StrEnum], *, name: str = "status", length: int = 16) -> sa.Enum:
    """The one way a status (or any closed set of codes) is stored: a string with a CHECK.

    No native enum type, so a plugin's migration adds a value by replacing one CHECK
    (:func:`crm_host.core.migration_ops.replace_status_check`), and a downgrade is as
    simple; SQLite enforces the CHECK too. The column holds the members' values, and
    the constraint is named ``ck_<table>_<name>`` by the naming convention.
    """
    return sa.Enum(
        values,
        native_enum=False,
        create_constraint=True,
        name=name,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """The declarative base of the host and of every plugin's models."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def is_sqlite(url: str | sa.URL) -> bool:
    """Tell whether a database URL names SQLite."""
    return sa.make_url(url).get_backend_name() == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    """Make pysqlite transactional the way SQLAlchemy documents it, and durable.

    pysqlite's own transaction handling issues BEGIN lazily and commits around DDL,
    which breaks savepoints and transactional migrations; we switch it off and emit
    BEGIN ourselves.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable in WAL mode except for the last transactions on power loss.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_engine(url: str | sa.URL, **kwargs: Any) -> Engine:
    """Create an engine with the host's settings for its dialect."""
    if is_sqlite(url):
        engine = sa.create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


#: Pool settings read from the configuration (``CRM_DATABASE_POOL_SIZE=20``…), for
#: server databases; SQLite keeps SQLAlchemy's own pool.
POOL_SETTINGS = {
    "DATABASE_POOL_SIZE": ("pool_size", int),
    "DATABASE_MAX_OVERFLOW": ("max_overflow", int),
    "DATABASE_POOL_TIMEOUT": ("pool_timeout", float),
    "DATABASE_POOL_RECYCLE": ("pool_recycle", int),
}


def pool_settings(config: Any) -> dict[str, Any]:
    """Engine keyword arguments for the connection pool from a Flask config.

    Each web or worker process holds up to ``pool_size + max_overflow`` connections:
    size them so that every process together stays under PostgreSQL's
    ``max_connections`` (docs/deploy.md).
    """
    if is_sqlite(config.get("DATABASE_URL", "sqlite://")):
        return {}
    settings: dict[str, Any] = {}
    for key, (argument, kind) in POOL_SETTINGS.items():
        if config.get(key) not in (None, ""):
            try:
                settings[argument] = kind(config[key])
            except (TypeError, ValueError):
                raise ValueError(f"CRM_{key} must be a number, not {config[key]!r}") from None
    return settings


class Database:
    """The engine and session factory of one application."""

    def __init__(self, url: str | sa.URL, **engine_kwargs: Any) -> None:
        self.url = sa.make_url(url)
        self.engine = create_engine(self.url, **engine_kwargs)
        #: Copied into every session's ``info``: lets code holding only a session find
        #: its application's host (``crm_host.core.host.host_of``).
        self.info: dict[str, Any] = {}
        # Sessions write: on SQLite they take the write lock when they begin, because a
        # deferred transaction that later writes cannot wait for the lock (SQLITE_BUSY at
        # once). Plain connections (reads, backups) begin deferred.
        self._writing = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self.session_factory = sessionmaker(
            bind=self._writing, expire_on_commit=False, info=self.info
        )

    @property
    def dialect(self) -> str:
        """The dialect name: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def bind_to(self, connection: Connection) -> None:
        """Make every new session join ``connection``'s transaction through savepoints.

        Used by the test tier that rolls each test back.
        """
        self.session_factory = sessionmaker(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            info=self.info,
        )

    def read_session(self) -> Session:
        """A session for reading only: on SQLite it does not take the write lock, so it
        can watch work that another session of this process is doing."""
        return Session(bind=self.engine, expire_on_commit=False, info=self.info)

    def reading_session(self) -> Session:
        """A session like :attr:`session_factory`'s for work that only reads.

        On SQLite it begins deferred, so such sessions read side by side instead of
        one after another behind the write lock. Only for code that does not write
        after reading: once another connection has written, a deferred transaction
        that read cannot take the write lock (SQLITE_BUSY at once). Sessions bound
        elsewhere (the test tier's savepoints) are made as usual.
        """
        if self.session_factory.kw.get("bind") is self._writing:
            return self.session_factory(bind=self.engine)
        return self.session_factory()

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self.session_factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
