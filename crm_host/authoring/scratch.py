"""Checks that need a database: a plugin installed on a scratch SQLite file, its migrations
taken down and up again with data in place, then an application built on it.

Nothing here touches the company's database: the scratch file lives in a temporary
folder that is removed afterwards.
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from crm_host.core import migrate
from crm_host.core.db import Base, Database, utcnow
from crm_host.core.models import Customer
from crm_host.domain import lifecycle
from crm_host.plugins.facade import PluginError, order_plugins
from crm_host.plugins.manager import Discovery
from crm_host.plugins.manifest import Manifest
from crm_host.web.api import API_PREFIX

#: Access marks that name no permission (see :func:`crm_host.security.permissions.mark_access`).
NOT_PERMISSIONS = frozenset({"public", "signed-in"})
SEED_CODE = "CRM-CHECK-1"


@dataclass
class ScratchResult:
    """What the database checks found, and what they could not check (``notes``)."""

    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The plugin's tables as its migrations created them.
    tables: list[str] = field(default_factory=list)
    #: Its tables with a foreign key to ``customers``.
    customer_tables: list[str] = field(default_factory=list)
    #: Permission name → where it is checked, for every route of the plugin.
    route_permissions: dict[str, str] = field(default_factory=dict)
    declared_permissions: set[str] = field(default_factory=set)


@contextmanager
def scratch_database() -> Iterator[tuple[Database, Path]]:
    """A new SQLite database in a temporary folder, with the host's tables."""
    with tempfile.TemporaryDirectory(prefix="crm-check-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'check.sqlite3'}")
        try:
            migrate.upgrade(database, [], "host@head")
            yield database, Path(folder)
        finally:
            database.dispose()


def _tables(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def run_database_checks(manifest: Manifest, discovery: Discovery, *, app: bool) -> ScratchResult:
    """Install the plugin on a scratch database, round-trip its migrations, and (when
    ``app``) start an application with it to look at its routes and permissions."""
    result = ScratchResult()
    name = manifest.name
    with scratch_database() as (database, folder):
        try:
            for required in manifest.requires:
                lifecycle.install(database, discovery, required)
            before = _tables(database)
            lifecycle.install(database, discovery, name)
        except Exception as error:
            result.findings.append(f"plugin {name} cannot be installed: {error}")
            return result
        result.tables = sorted(_tables(database) - before)
        _check_table_names(manifest, result)
        result.customer_tables = _tables_referring_to_customers(database, result.tables)
        if manifest.migrations is not None:
            _round_trip(database, manifest, discovery, result)
        elif _model_tables(manifest):
            result.findings.append(
                f"plugin {name} has models ({', '.join(_model_tables(manifest))}) but no "
                "migrations/versions folder, so installing it creates no tables"
            )
        if app:
            _check_application(manifest, database, folder, result)
    return result


def _check_table_names(manifest: Manifest, result: ScratchResult) -> None:
    prefix = f"{manifest.slug}_"
    for table in result.tables:
        if not table.startswith(prefix):
            result.findings.append(
                f"plugin {manifest.name}'s migrations create table {table}, whose name does "
                f"not start with its slug ({prefix}), so the host does not count it as the "
                "plugin's (uninstall lists and archives tables by that prefix)"
            )
    for table in _model_tables(manifest):
        if not table.startswith(prefix):
            result.findings.append(
                f"plugin {manifest.name} defines a model on table {table}, whose name does "
                f"not start with its slug ({prefix})"
            )
        elif manifest.migrations is not None and table not in result.tables:
            result.findings.append(
                f"plugin {manifest.name} defines a model on table {table}, which its "
                "migrations do not create"
            )


def _model_tables(manifest: Manifest) -> list[str]:
    """Tables of the models defined in the plugin's package."""
    package = manifest.package
    tables = set()
    for mapper in Base.registry.mappers:
        module = mapper.class_.__module__
        if package and (module == package or module.startswith(package + ".")):
            tables.update(t.name for t in mapper.tables)
    return sorted(tables)


def _tables_referring_to_customers(database: Database, tables: list[str]) -> list[str]:
    with database.engine.connect() as connection:
        inspector = sa.inspect(connection)
        return [
            t
            for t in tables
            if any(fk["referred_table"] == "customers" for fk in inspector.get_foreign_keys(t))
        ]


def _installed_manifests(manifest: Manifest, discovery: Discovery) -> list[Manifest]:
    return order_plugins(discovery.manifests, [*manifest.requires, manifest.name])


def _round_trip(
    database: Database, manifest: Manifest, discovery: Discovery, result: ScratchResult
) -> None:
    """Seed rows, downgrade the plugin's branch to base, upgrade it again."""
    name, branch = manifest.name, manifest.branch
    manifests = _installed_manifests(manifest, discovery)
    customer_id = _seed(database, result)
    try:
        migrate.downgrade(database, manifests, f"{branch}@base")
    except Exception as error:
        result.findings.append(
            f"plugin {name}'s migrations do not downgrade ({branch}@base with a row in "
            f"each table): {error}"
        )
        return
    left = sorted(_tables(database) & set(result.tables))
    if left:
        result.findings.append(
            f"plugin {name}'s migrations do not remove all its tables when downgraded to "
            f"{branch}@base: {', '.join(left)} remain"
        )
    with database.engine.connect() as connection:
        if connection.scalar(sa.select(Customer.id).where(Customer.id == customer_id)) is None:
            result.findings.append(
                f"downgrading plugin {name}'s migrations deleted a customer: a table must "
                "have been recreated with foreign keys on (see crm_host.core.migrate)"
            )
    try:
        migrate.upgrade(database, manifests, f"{branch}@head")
    except Exception as error:
        result.findings.append(
            f"plugin {name}'s migrations do not upgrade again after a downgrade: {error}"
        )


def _seed(database: Database, result: ScratchResult) -> int:
    """A customer, and a row in each of the plugin's tables where one can be made up."""
    with database.session() as session:
        customer = Customer(code=SEED_CODE, kind="person", name="Check")
        session.add(customer)
        session.flush()
        customer_id = customer.id
    metadata = sa.MetaData()
    with database.engine.connect() as connection:
        metadata.reflect(connection, only=result.tables)
    made: dict[str, dict[str, Any]] = {"customers": {"id": customer_id}}
    for reflected in metadata.sorted_tables:
        if reflected.name not in result.tables:  # a host table it refers to
            continue
        # The model's table where there is one: its column types make better values.
        table = Base.metadata.tables.get(reflected.name, reflected)
        row = _made_up_row(table, made)
        try:
            with database.engine.begin() as connection:
                inserted = connection.execute(table.insert().values(row))
                key = inserted.inserted_primary_key
            made[table.name] = {
                **row,
                **dict(zip(table.primary_key.columns.keys(), key, strict=True)),
            }
        except Exception as error:
            reason = str(error).splitlines()[0]
            result.notes.append(
                f"could not make up a row for {table.name} ({reason}); its migrations were "
                "checked with the table empty"
            )
    return customer_id


def _made_up_row(table: sa.Table, made: dict[str, dict[str, Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in table.columns:
        # An integer primary key numbers itself.
        if (
            column.primary_key
            and column.autoincrement in (True, "auto")
            and isinstance(column.type, sa.Integer)
            and not column.foreign_keys
        ):
            continue
        if column.server_default is not None:
            continue
        foreign = next(iter(column.foreign_keys), None)
        if foreign is not None:
            parent = made.get(foreign.column.table.name)
            if parent is not None and foreign.column.name in parent:
                row[column.name] = parent[foreign.column.name]
                continue
        if column.nullable and not column.primary_key:
            continue
        row[column.name] = _value_for(column)
    return row


def _value_for(column: sa.Column[Any]) -> Any:
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.Enum) and kind.enums:
        return kind.enums[0]
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.Numeric):
        return Decimal("1")
    if isinstance(kind, sa.DateTime):
        return utcnow()
    if isinstance(kind, sa.Date):
        return date.today()
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.LargeBinary):
        return b"check"
    length = getattr(kind, "length", None) or 20
    return "check"[:length]


def _check_application(
    manifest: Manifest, database: Database, folder: Path, result: ScratchResult
) -> None:
    """Start an application with the plugin installed and look at its routes."""
    from crm_host.app import create_app
    from crm_host.core.host import get_host

    settings = {
        "DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
        "SECRET_KEY": "crm-plugins-check",
        "TESTING": True,
    }
    try:
        app = create_app(settings, instance_path=str(folder / "instance"))
    except PluginError as error:
        result.findings.append(f"the host cannot start with plugin {manifest.name}: {error}")
        return
    except Exception as error:
        result.findings.append(
            f"the host cannot start with plugin {manifest.name}: {type(error).__name__}: {error}"
        )
        return
    host = get_host(app)
    result.declared_permissions = set(host.permissions.permissions)
    _check_routes(app, manifest, host.blueprint_owners, result)
    _check_transaction_sources(app, host, manifest, result)


def _check_transaction_sources(
    app: Flask, host: Any, manifest: Manifest, result: ScratchResult
) -> None:
    """The plugin's ``crm_transaction_sources`` statements, against the columns and
    types the host's ``UNION ALL`` needs (see :func:`crm_host.domain.analytics.source_problems`)."""
    from crm_host.domain.analytics import source_problems

    name = manifest.name
    try:
        with app.app_context():
            answers = host.plugins.call_each("crm_transaction_sources", [name])
    except Exception as error:
        result.findings.append(
            f"plugin {name}'s crm_transaction_sources fails: {type(error).__name__}: {error}"
        )
        return
    for _, statements in answers:
        for number, statement in enumerate(statements or (), start=1):
            for problem in source_problems(statement):
                result.findings.append(
                    f"plugin {name}'s transaction source {number} breaks the contract: {problem}"
                )


def _view_module(view: Any) -> str:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return view_class.__module__
    return getattr(inspect.unwrap(view), "__module__", "") or ""


def _belongs_to(module: str, package: str) -> bool:
    return bool(package) and (module == package or module.startswith(package + "."))


def _check_routes(
    app: Flask, manifest: Manifest, owners: dict[str, str], result: ScratchResult
) -> None:
    name = manifest.name
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else ""
        mounted = owners.get(blueprint) == name
        if not mounted and not _belongs_to(_view_module(view), manifest.package):
            continue
        if not mounted:
            result.findings.append(
                f"plugin {name}'s route {rule.rule} (endpoint {rule.endpoint}) is registered "
                "on the application directly, not returned from crm_register_blueprints: the "
                "host did not mount it, so no department gate guards it"
            )
            continue
        view_class = getattr(view, "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            function = getattr(view_class, method.lower(), None) if view_class else view
            access = getattr(function, "crm_access", None)
            if access is None and rule.rule.startswith(API_PREFIX + "/"):
                # Console views may check inside (authorize); API views say it up front.
                result.findings.append(
                    f"plugin {name}'s API route {method} {rule.rule} checks no permission: "
                    "decorate it with crm_host.sdk.require (or signed_in, or public)"
                )
            elif access and access not in NOT_PERMISSIONS:
                result.route_permissions.setdefault(access, f"{method} {rule.rule}")
