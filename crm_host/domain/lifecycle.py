"""Installing, uninstalling, enabling and disabling plugins.

Installing runs a plugin's migrations and records it; the host loads installed
plugins only, so web and worker processes pick the change up when restarted.
Uninstalling is careful where other products are not: it refuses while an
installed plugin requires the one being removed, exports every row of the
plugin's tables to an archive before anything is dropped, and runs the downgrade
and the bookkeeping in one transaction, so a failure leaves the database as it was.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crm_host import __version__
from crm_host.core import migrate
from crm_host.core.db import Database, utcnow
from crm_host.core.errors import NotFound, ValidationFailed
from crm_host.core.models import Department, PluginEnablement, PluginInstallation
from crm_host.domain.directory import get_department
from crm_host.plugins.manager import Discovery, Plugin, order_plugins
from crm_host.plugins.manifest import Manifest, PluginError
from crm_host.records import audit

RESTART_NOTICE = "Restart web and worker processes (crm serve, crm worker) to pick this up."


def installed_names(bind: Database | Session) -> list[str]:
    """Names of installed plugins; empty when the host tables do not exist yet."""
    if isinstance(bind, Session):
        return list(bind.scalars(sa.select(PluginInstallation.name)))
    with bind.engine.connect() as connection:
        if not sa.inspect(connection).has_table(PluginInstallation.__tablename__):
            return []
        return list(connection.scalars(sa.select(PluginInstallation.name)))


def installed_names_on(connection: Connection) -> list[str]:
    """Names of installed plugins, read on an open connection."""
    if not sa.inspect(connection).has_table(PluginInstallation.__tablename__):
        return []
    return list(connection.scalars(sa.select(PluginInstallation.name)))


def present_installed(db: Database, discovery: Discovery) -> list[Manifest]:
    """Manifests of the installed plugins that are present, in dependency order: the
    migration branches any upgrade of this database must know about."""
    names = [n for n in installed_names(db) if n in discovery.manifests]
    return order_plugins(discovery.manifests, names)


def _installed_manifests(discovery: Discovery, names: Iterable[str]) -> list[Manifest]:
    return order_plugins(discovery.manifests, names)


def install(db: Database, discovery: Discovery, name: str) -> list[str]:
    """Install ``name`` and, first, whatever it requires that is not installed yet.

    Returns the names installed, in order. Raises :class:`PluginError` naming both
    sides when a requirement is absent or the host version is unsupported.
    """
    if name not in discovery.manifests:
        known = ", ".join(sorted(discovery.manifests)) or "none"
        raise PluginError(f"no plugin named {name} is present (present: {known})")
    installed = set(installed_names(db))
    wanted = _with_requirements(discovery, name)
    to_install = [
        m for m in order_plugins(discovery.manifests, installed | wanted) if m.name not in installed
    ]
    for manifest in to_install:
        if not manifest.supports_host(__version__):
            raise PluginError(
                f"plugin {manifest.name} {manifest.version} supports host {manifest.host}, "
                f"but this host is crm-host {__version__}"
            )
    done: list[str] = []
    for manifest in to_install:
        installed.add(manifest.name)
        manifests = _installed_manifests(discovery, installed)
        with migrate.migration_connection(db) as connection:
            if manifest.migrations is not None:
                migrate.upgrade(db, manifests, f"{manifest.branch}@head", connection=connection)
            connection.execute(
                sa.insert(PluginInstallation).values(
                    name=manifest.name, version=manifest.version, installed_at=utcnow()
                )
            )
        done.append(manifest.name)
    return done


def _with_requirements(discovery: Discovery, name: str) -> set[str]:
    wanted: set[str] = set()
    stack = [(name, None)]
    while stack:
        current, needed_by = stack.pop()
        if current in wanted:
            continue
        if current not in discovery.manifests:
            raise PluginError(f"plugin {needed_by} requires plugin {current}, which is not present")
        wanted.add(current)
        stack.extend((r, current) for r in discovery.manifests[current].requires)
    return wanted


@dataclass
class TableReport:
    """One table an uninstall would drop, with its row count and the rows pointing at it."""

    name: str
    rows: int
    #: "other_table.column" → number of rows in that table that reference this one.
    referenced_by: dict[str, int] = field(default_factory=dict)


@dataclass
class UninstallPlan:
    """What ``crm plugins uninstall NAME`` would remove."""

    plugin: str
    tables: list[TableReport]
    enabled_for: list[str]

    def describe(self) -> list[str]:
        """The plan in plain lines, for the CLI and the console."""
        lines = [f"Uninstalling {self.plugin} would drop {len(self.tables)} table(s):"]
        for table in self.tables:
            lines.append(f"  {table.name}: {table.rows} row(s)")
            for source, count in table.referenced_by.items():
                lines.append(f"    referenced by {source}: {count} row(s)")
        if self.enabled_for:
            lines.append("and disable it for: " + ", ".join(self.enabled_for))
        return lines


def plugin_tables(connection: Connection, manifest: Manifest) -> list[str]:
    """The tables of a plugin: those named with its slug as a prefix."""
    prefix = f"{manifest.slug}_"
    return sorted(t for t in sa.inspect(connection).get_table_names() if t.startswith(prefix))


def plan_uninstall(db: Database, discovery: Discovery, name: str) -> UninstallPlan:
    """Work out what uninstalling ``name`` would remove, or refuse with the reason."""
    installed = installed_names(db)
    if name not in installed:
        raise PluginError(f"plugin {name} is not installed")
    dependants = sorted(
        other
        for other in installed
        if other != name
        and other in discovery.manifests
        and name in discovery.manifests[other].requires
    )
    if dependants:
        raise PluginError(
            f"plugin {name} cannot be uninstalled: installed plugin(s) "
            f"{', '.join(dependants)} require it; uninstall them first"
        )
    manifest = discovery.manifests.get(name)
    with db.engine.connect() as connection:
        tables = plugin_tables(connection, manifest) if manifest else []
        inspector = sa.inspect(connection)
        reports = []
        for table in tables:
            rows = connection.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
            report = TableReport(table, rows or 0)
            for other in inspector.get_table_names():
                if other in tables:
                    continue
                for fk in inspector.get_foreign_keys(other):
                    if fk["referred_table"] == table:
                        column = fk["constrained_columns"][0]
                        count = connection.scalar(
                            sa.select(sa.func.count())
                            .select_from(sa.table(other))
                            .where(sa.column(column).is_not(None))
                        )
                        report.referenced_by[f"{other}.{column}"] = count or 0
            reports.append(report)
        enabled_for = list(
            connection.scalars(
                sa.select(Department.name)
                .join(PluginEnablement, PluginEnablement.department_id == Department.id)
                .where(PluginEnablement.plugin_name == name)
                .order_by(Department.name)
            )
        )
    return UninstallPlan(name, reports, enabled_for)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def archive_tables(
    connection: Connection, plan: UninstallPlan, manifest: Manifest | None, path: Path
) -> Path:
    """Write every row of the plan's tables to a zip of JSON Lines files, one per table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "plugin": plan.plugin,
                    "version": manifest.version if manifest else None,
                    "host_version": __version__,
                    "archived_at": utcnow().isoformat(),
                    "tables": {t.name: t.rows for t in plan.tables},
                },
                indent=2,
            ),
        )
        for table in plan.tables:
            with archive.open(f"tables/{table.name}.jsonl", "w") as out:
                result = connection.execute(sa.text(f'SELECT * FROM "{table.name}"'))
                columns = list(result.keys())
                for row in result:
                    record = {c: _jsonable(v) for c, v in zip(columns, row, strict=True)}
                    out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    return path


def uninstall(db: Database, discovery: Discovery, name: str, archive: Path) -> UninstallPlan:
    """Archive the plugin's data to ``archive``, then drop its tables and forget it.

    The downgrade and the bookkeeping share one transaction: if anything fails,
    nothing is dropped and the plugin stays installed.
    """
    plan = plan_uninstall(db, discovery, name)
    manifest = discovery.manifests.get(name)
    installed = installed_names(db)
    manifests = _installed_manifests(discovery, [n for n in installed if n in discovery.manifests])
    with migrate.migration_connection(db) as connection:
        archive_tables(connection, plan, manifest, archive)
        if manifest is not None and manifest.migrations is not None:
            migrate.downgrade(db, manifests, f"{manifest.branch}@base", connection=connection)
        leftover = plugin_tables(connection, manifest) if manifest else []
        if leftover:
            raise PluginError(
                f"plugin {name}'s migrations did not remove its tables: {', '.join(leftover)}"
            )
        connection.execute(sa.delete(PluginEnablement).where(PluginEnablement.plugin_name == name))
        connection.execute(sa.delete(PluginInstallation).where(PluginInstallation.name == name))
    return plan


def _department(session: Session, ref: str) -> Department:
    try:
        return get_department(session, ref)
    except NotFound as error:
        raise PluginError(error.message) from error


def _enabled_in(session: Session, department: Department) -> set[str]:
    return set(
        session.scalars(
            sa.select(PluginEnablement.plugin_name).where(
                PluginEnablement.department_id == department.id
            )
        )
    )


def enable(
    session: Session, discovery: Discovery, name: str, departments: Iterable[str]
) -> list[str]:
    """Enable an installed plugin for departments; what it requires must be enabled there too.

    Works in the caller's transaction. Returns the names of the departments it was
    newly enabled for.
    """
    if name not in installed_names(session):
        raise PluginError(f"plugin {name} is not installed; run `crm plugins install {name}` first")
    manifest = discovery.manifests.get(name)
    newly = []
    for ref in departments:
        department = _department(session, ref)
        enabled_here = _enabled_in(session, department)
        missing = [r for r in (manifest.requires if manifest else ()) if r not in enabled_here]
        if missing:
            raise PluginError(
                f"plugin {name} requires {', '.join(missing)}, which is not enabled for "
                f"{department.name}; enable it there first"
            )
        if name not in enabled_here:
            session.add(PluginEnablement(plugin_name=name, department_id=department.id))
            session.flush()
            newly.append(department.name)
    return newly


def disable(
    session: Session, discovery: Discovery, name: str, departments: Iterable[str]
) -> list[str]:
    """Disable a plugin for departments. Its data stays; only what users see changes.

    Works in the caller's transaction. Refuses while a plugin that requires this one
    is enabled for the same department.
    """
    disabled = []
    for ref in departments:
        department = _department(session, ref)
        dependants = sorted(
            other
            for other in _enabled_in(session, department)
            if other in discovery.manifests and name in discovery.manifests[other].requires
        )
        if dependants:
            raise PluginError(
                f"plugin {name} cannot be disabled for {department.name}: "
                f"{', '.join(dependants)} require it there"
            )
        row = session.get(PluginEnablement, (name, department.id))
        if row is not None:
            session.delete(row)
            session.flush()
            disabled.append(department.name)
    return disabled


def change_enablement(
    session: Session, discovery: Discovery, name: str, departments: Iterable[str], *, on: bool
) -> list[str]:
    """Enable (``on``) or disable a plugin for departments, audited, in the caller's
    transaction; a refusal becomes a :class:`ValidationFailed` on ``departments``.

    Returns the names of the departments that changed.
    """
    action = enable if on else disable
    try:
        changed = action(session, discovery, name, departments)
    except PluginError as error:
        raise ValidationFailed(str(error), details={"departments": [str(error)]}) from error
    audit.record(
        session, "enable" if on else "disable", "plugin", name, after={"departments": changed}
    )
    return changed


def enabled_departments(session: Session) -> dict[str, list[str]]:
    """The names of the departments each plugin is enabled for, by plugin name."""
    rows = session.execute(
        sa.select(PluginEnablement.plugin_name, Department.name)
        .join(Department, Department.id == PluginEnablement.department_id)
        .order_by(Department.name)
    )
    enabled: dict[str, list[str]] = {}
    for plugin_name, department in rows:
        enabled.setdefault(plugin_name, []).append(department)
    return enabled


def describe_plugins(session: Session, plugins: Iterable[Plugin]) -> list[dict[str, Any]]:
    """Every plugin present with its manifest, whether this process installed and loaded
    it at start-up, and the departments it is enabled for."""
    enabled = enabled_departments(session)
    return [
        {
            "name": p.name,
            "slug": p.manifest.slug,
            "label": p.manifest.label,
            "version": p.manifest.version,
            "requires": list(p.manifest.requires),
            "uses": list(p.manifest.uses),
            "installed": p.installed,
            "loaded": p.loaded,
            "enabled_for": enabled.get(p.name, []),
        }
        for p in plugins
    ]
