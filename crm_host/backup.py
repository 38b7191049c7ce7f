"""Backup and restore: every table and every attachment in one portable zip file.

The backup is logical — rows as JSON Lines, with the migration revisions they were
taken at — so a SQLite backup restores into PostgreSQL and back. Restore wants an
empty database: it migrates it to the recorded revisions, loads the rows in
foreign-key order (a table's references to itself are set in a second pass), puts
PostgreSQL's sequences past the restored ids, and copies the attachments back.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from crm_host import __version__, backup_keys
from crm_host.core import migrate, sensitive
from crm_host.core.db import Base, Database, utcnow
from crm_host.core.sensitive import Encrypted
from crm_host.domain import lifecycle
from crm_host.plugins.manager import Discovery, order_plugins

FORMAT = 1
_TYPE = "__crm_type__"
BATCH = 1000


class BackupError(Exception):
    """The backup cannot be made or restored; nothing was changed."""


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_TYPE: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {_TYPE: "date", "v": value.isoformat()}
    if isinstance(value, time):
        return {_TYPE: "time", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {_TYPE: "decimal", "v": str(value)}
    if isinstance(value, bytes | memoryview):
        return {_TYPE: "bytes", "v": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and _TYPE in value:
        kind, raw = value[_TYPE], value["v"]
        if kind == "datetime":
            return datetime.fromisoformat(raw)
        if kind == "date":
            return date.fromisoformat(raw)
        if kind == "time":
            return time.fromisoformat(raw)
        if kind == "decimal":
            return Decimal(raw)
        if kind == "bytes":
            return base64.b64decode(raw)
    return value


def _tables(connection: Connection) -> list[sa.Table]:
    """Every table but Alembic's, parents before children, typed by the models when known.

    Encrypted columns are read and written as stored: a backup must not hold in clear
    what the database holds encrypted (so a restore needs the same keys).
    """
    reflected = sa.MetaData()
    reflected.reflect(connection)
    stored = _stored_metadata()
    tables = []
    for table in reflected.sorted_tables:
        if table.name == "alembic_version":
            continue
        tables.append(stored.tables.get(table.name, table))
    return tables


def _stored_metadata() -> sa.MetaData:
    """A copy of the models' tables with every encrypted column typed as plain text."""
    metadata = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Encrypted):
                column.type = sa.String(column.type.length)
    return metadata


@contextlib.contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """A connection in one read-only transaction that sees every table at one instant.

    PostgreSQL's default READ COMMITTED takes a new snapshot per statement, so a
    backup read while an import commits would hold the job's totals of one moment and
    the customers of a later one: the backup runs REPEATABLE READ (one snapshot for
    the whole transaction), READ ONLY and DEFERRABLE, as ``pg_dump`` does. SQLite
    in WAL mode gives a deferred transaction one snapshot from its first read to its
    end, which is what the connection's ``BEGIN`` (deferred) is.
    """
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ",
                postgresql_readonly=True,
                postgresql_deferrable=True,
            )
        with connection.begin():
            yield connection


@dataclass
class BackupReport:
    """What a backup or restore covered."""

    path: Path
    tables: dict[str, int]
    attachments: int


def backup(db: Database, path: Path, attachments_dir: Path | None = None) -> BackupReport:
    """Write the whole database (and the attachments folder) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    counts: dict[str, int] = {}
    files = 0
    census = backup_keys.KeyCensus(sensitive.cipher())
    encrypted = backup_keys.encrypted_columns()
    with _snapshot(db) as connection:
        heads = list(MigrationContext.configure(connection).get_current_heads())
        installed = lifecycle.installed_names_on(connection)
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in _tables(connection):
                with archive.open(f"tables/{table.name}.jsonl", "w") as out:
                    count = 0
                    result = connection.execute(sa.select(table)).mappings()
                    secret = encrypted.get(table.name, [])
                    for row in result:
                        if secret:
                            census.add(row[c] for c in secret)
                        record = {k: _encode(v) for k, v in row.items()}
                        out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
                        count += 1
                counts[table.name] = count
            if attachments_dir is not None and attachments_dir.is_dir():
                for file in sorted(attachments_dir.rglob("*")):
                    if file.is_file():
                        archive.write(file, f"attachments/{file.relative_to(attachments_dir)}")
                        files += 1
            archive.writestr(
                "manifest.json",
                json.dumps(
                    {
                        "format": FORMAT,
                        "host_version": __version__,
                        "created_at": utcnow().isoformat(),
                        "dialect": db.dialect,
                        "revisions": heads,
                        "plugins": installed,
                        "tables": counts,
                        "attachments": files,
                        # A restore needs these keys: keep them while this file exists.
                        "field_keys": census.manifest(),
                    },
                    indent=2,
                ),
            )
    partial.replace(path)  # a crash never leaves a half-written file under the real name
    return BackupReport(path, counts, files)


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as error:
        raise BackupError(
            "not a crm-host backup: manifest.json is missing or unreadable"
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"backup format {manifest.get('format')} is not supported (want {FORMAT})"
        )
    return manifest


def restore(
    db: Database, path: Path, discovery: Discovery, attachments_dir: Path | None = None
) -> BackupReport:
    """Restore ``path`` into the empty database ``db``; refuses a database with tables."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"cannot read {path}: {error}") from error
    with archive:
        manifest = _read_manifest(archive)
        missing = [p for p in manifest["plugins"] if p not in discovery.manifests]
        if missing:
            raise BackupError(
                f"the backup has plugin(s) {', '.join(missing)} installed, which are not present here"
            )
        with db.engine.connect() as connection:
            if sa.inspect(connection).get_table_names():
                raise BackupError("restore needs an empty database; this one has tables")
        try:
            backup_keys.check_keys(archive, manifest, sensitive.cipher())
        except backup_keys.MissingFieldKeys as error:
            raise BackupError(str(error)) from error
        manifests = order_plugins(discovery.manifests, manifest["plugins"])
        with migrate.migration_connection(db) as connection:
            for revision in manifest["revisions"]:
                migrate.upgrade(db, manifests, revision, connection=connection)
            tables = {t.name: t for t in _tables(connection)}
            counts = {}
            for name in manifest["tables"]:
                if name not in tables:
                    raise BackupError(f"table {name} of the backup does not exist after migrating")
            # Migrations may seed rows (a plugin's default pipeline stages); the backup
            # holds those rows as they were, so they make way for it.
            for name, table in reversed(list(tables.items())):
                if name in manifest["tables"] and name != "alembic_version":
                    connection.execute(table.delete())
            for name, table in tables.items():
                if name not in manifest["tables"]:
                    continue
                counts[name] = _load_table(connection, table, archive.open(f"tables/{name}.jsonl"))
                if counts[name] != manifest["tables"][name]:
                    raise BackupError(
                        f"table {name}: restored {counts[name]} rows, the backup lists "
                        f"{manifest['tables'][name]}"
                    )
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection, tables.values())
        files = _restore_attachments(archive, attachments_dir)
    return BackupReport(path, counts, files)


def _load_table(connection: Connection, table: sa.Table, lines: Iterable[bytes]) -> int:
    """Insert the rows of one table; references to the same table go in a second pass."""
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table.name == table.name]
    pending: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []
    count = 0
    for line in lines:
        record = {k: _decode(v) for k, v in json.loads(line).items()}
        if self_refs and any(record.get(c) is not None for c in self_refs):
            later.append({c: record[c] for c in [*self_refs, *_pk(table)]})
            record = {**record, **dict.fromkeys(self_refs)}
        pending.append(record)
        count += 1
        if len(pending) >= BATCH:
            connection.execute(table.insert(), pending)
            pending = []
    if pending:
        connection.execute(table.insert(), pending)
    for record in later:
        keys = _pk(table)
        connection.execute(
            table.update()
            .where(*[table.c[k] == record[k] for k in keys])
            .values({c: record[c] for c in self_refs})
        )
    return count


def _pk(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _reset_sequences(connection: Connection, tables: Iterable[sa.Table]) -> None:
    """Move PostgreSQL sequences past the restored ids so new rows do not collide."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.scalar(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": table.name, "c": column.name},
            )
            if sequence:
                connection.execute(
                    sa.text(
                        f'SELECT setval(:s, COALESCE((SELECT max("{column.name}") FROM "{table.name}"), 0) + 1, false)'
                    ),
                    {"s": sequence},
                )


def _restore_attachments(archive: zipfile.ZipFile, target: Path | None) -> int:
    names = [n for n in archive.namelist() if n.startswith("attachments/") and not n.endswith("/")]
    if not names:
        return 0
    if target is None:
        raise BackupError("the backup holds attachments but no attachments folder is configured")
    root = target.resolve()
    for name in names:
        destination = (root / name.removeprefix("attachments/")).resolve()
        if root not in destination.parents:
            raise BackupError(f"refusing to restore {name}: it would land outside {root}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(name) as source, open(destination, "wb") as out:
            shutil.copyfileobj(source, out)
    return len(names)
