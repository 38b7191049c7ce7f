"""``crm_host.testing``: the pytest plugin every crm-host plugin tests itself with.

Registered through the ``pytest11`` entry point, so installing crm-host makes these
fixtures available. Two database tiers:

* ``db`` — the shared test database inside a transaction that is rolled back after
  each test; every session the app opens joins it through a savepoint. Fast; use it
  for almost everything.
* ``committed_db`` — a database of its own whose writes really commit, emptied after
  each test; for threads, worker processes, browsers and servers.

Events emitted on the ``db`` tier are delivered inline after commit; ``run_jobs``
runs queued jobs (and due retries, with ``later=``) on demand. No worker thread
starts in tests unless a test starts one.

Choose what is installed and enabled by overriding the session fixtures
``crm_plugins`` (plugin names to install) and ``crm_departments`` (department code →
name and the plugins enabled for it) in your ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from crm_host.core import migrate
from crm_host.core.db import Base, Database
from crm_host.core.host import get_host
from crm_host.core.models import Customer, User
from crm_host.domain import lifecycle
from crm_host.domain.directory import create_department, create_user, ensure_standard_roles
from crm_host.plugins.facade import discover
from crm_host.runtime.facade import get_runtime
from crm_host.testing.console import (  # noqa: F401 - fixtures
    browser_page,
    chromium,
    embedded_server,
    live_server,
)
from crm_host.testing.databases import TestDatabases, server_url
from crm_host.testing.demo import crm_demo_database, crm_demo_template  # noqa: F401 - fixtures
from crm_host.testing.runtime import deliver_outbox, run_jobs  # noqa: F401 - fixtures

DEFAULT_DEPARTMENTS: dict[str, tuple[str, list[str]]] = {
    "sales": ("Sales", ["sales"]),
    "service": ("Service Centre", ["service"]),
    "marketing": ("Marketing", ["marketing"]),
    "power": ("Power Marketing", ["industry_power"]),
}
TEST_PASSWORD = "correct horse battery"
# Tables whose rows describe the installation rather than test data; kept between tests.
BOOKKEEPING_TABLES = ("alembic_version", "plugin_installations")


#: The marker of browser tests; CI runs them once, on PostgreSQL, in a step of their own.
E2E_MARKER = "e2e"
#: The fixture every browser test reaches, directly or through ``browser_page``.
BROWSER_FIXTURE = "chromium"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hookspec(name): the test exercises the named hookspec")
    config.addinivalue_line(
        "markers", f"{E2E_MARKER}: a browser test (given to every test that uses Chromium)"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives the browser ``e2e``, so none can forget the marker.

    First among the hooks, so that ``-m e2e`` and ``-m "not e2e"`` see the marker.
    """
    for item in items:
        if BROWSER_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def crm_plugins() -> list[str]:
    """Plugins installed in the test databases: by default every plugin present."""
    return sorted(discover().manifests)


@pytest.fixture(scope="session")
def crm_departments(crm_plugins: list[str]) -> dict[str, tuple[str, list[str]]]:
    """Departments created in the test databases, with the plugins enabled for each."""
    return {
        code: (name, [p for p in plugins if p in crm_plugins])
        for code, (name, plugins) in DEFAULT_DEPARTMENTS.items()
    }


@pytest.fixture(scope="session")
def crm_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """Factory of throw-away databases (SQLite, or PostgreSQL with CRM_TEST_DATABASE_URL)."""
    databases = TestDatabases(tmp_path_factory.mktemp("databases"), server_url())
    yield databases
    databases.close()


@pytest.fixture(scope="session", autouse=True)
def crm_database_backend(
    record_testsuite_property: Callable[[str, object], None], pytestconfig: pytest.Config
) -> str:
    """The backend the tests run on, recorded in the JUnit report for CI to check.

    The ``-m`` expression is recorded too: CI checks which share of the tests each
    report holds (the database runs without the browser tests, then those alone).
    """
    backend = "postgresql" if server_url() is not None else "sqlite"
    record_testsuite_property("crm_database_backend", backend)
    record_testsuite_property("crm_mark_expression", pytestconfig.getoption("markexpr") or "")
    return backend


@dataclass
class Installation:
    """A database prepared for tests: host migrated, plugins installed and enabled."""

    url: sa.URL
    plugins: list[str]
    departments: dict[str, tuple[str, list[str]]]
    baseline: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tables: dict[str, sa.Table] = field(default_factory=dict)


def prepare_database(
    url: sa.URL, plugins: list[str], departments: dict[str, tuple[str, list[str]]]
) -> Installation:
    """Migrate the host, install ``plugins`` and create ``departments`` with enablements."""
    database = Database(url)
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        for name in plugins:
            lifecycle.install(database, discovery, name)
        with database.session() as session:
            ensure_standard_roles(session)
            for code, (name, _plugins) in departments.items():
                create_department(session, code=code, name=name)
        with database.session() as session:
            for code, (_name, enabled) in departments.items():
                for plugin in enabled:
                    lifecycle.enable(session, discovery, plugin, [code])
        installation = Installation(url, plugins, departments)
        with database.engine.connect() as connection:
            # Everything the installation put in: departments, roles, enablements, and
            # rows the plugins' migrations seeded (default pipeline stages, ticket types).
            reflected = sa.MetaData()
            reflected.reflect(connection)
            for found in reflected.sorted_tables:
                if found.name in BOOKKEEPING_TABLES:
                    continue
                # Through the model's table where there is one, so values come back
                # typed (SQLite returns timestamps as text, which the UTCDateTime
                # columns refuse when put back).
                table = Base.metadata.tables.get(found.name, found)
                rows = [dict(r) for r in connection.execute(table.select()).mappings()]
                if rows:
                    installation.baseline[found.name] = rows
                    installation.tables[found.name] = table
        return installation
    finally:
        database.dispose()


def build_app(url: sa.URL, tmp_path: Path, **config: Any) -> Flask:
    """An application for tests on the database at ``url``."""
    from crm_host.app import create_app

    settings = {
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "ARCHIVE_DIR": str(tmp_path / "archives"),
        **config,
    }
    return create_app(settings, instance_path=str(tmp_path / "instance"))


@pytest.fixture(scope="session")
def crm_installation(
    crm_databases: TestDatabases,
    crm_plugins: list[str],
    crm_departments: dict[str, tuple[str, list[str]]],
) -> Installation:
    """The shared test database of the ``db`` tier."""
    return prepare_database(crm_databases.create("shared"), crm_plugins, crm_departments)


@pytest.fixture(scope="session")
def crm_app(crm_installation: Installation, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The application of the ``db`` tier (shared by the session; use ``app``)."""
    return build_app(crm_installation.url, tmp_path_factory.mktemp("app"))


@pytest.fixture
def db(crm_app: Flask) -> Iterator[sa.orm.Session]:
    """A session on the shared test database; everything is rolled back after the test.

    The app's own sessions (requests, commands) join the same transaction through
    savepoints, so what the test wrote is visible to them and theirs to it. Events
    are delivered inline: right after the emitting session commits, on the same
    connection (a failed delivery waits for its retry: ``run_jobs(later=…)``).
    """
    database = get_host(crm_app).db
    original = database.session_factory
    connection = database.engine.connect()
    transaction = connection.begin()
    database.bind_to(connection)
    get_runtime(crm_app).inline = True
    session = database.session_factory()
    try:
        yield session
    finally:
        session.close()
        get_runtime(crm_app).inline = False
        database.session_factory = original
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture
def app(crm_app: Flask, db: sa.orm.Session) -> Flask:
    """The application of the ``db`` tier, its sessions joined to ``db``'s transaction.

    No application context is pushed: a pushed context would be reused by the test
    client's requests, and they would share ``g`` with the test.
    """
    return crm_app


@pytest.fixture(scope="session")
def crm_committed_installation(
    crm_databases: TestDatabases,
    crm_plugins: list[str],
    crm_departments: dict[str, tuple[str, list[str]]],
) -> Installation:
    """The database of the ``committed_db`` tier."""
    return prepare_database(crm_databases.create("committed"), crm_plugins, crm_departments)


@pytest.fixture(scope="session")
def crm_committed_app(
    crm_committed_installation: Installation, tmp_path_factory: pytest.TempPathFactory
) -> Flask:
    """The application of the ``committed_db`` tier (use ``committed_app``)."""
    return build_app(crm_committed_installation.url, tmp_path_factory.mktemp("committed"))


def _truncate(database: Database, installation: Installation) -> None:
    """Empty every table but the bookkeeping ones, then put the baseline rows back."""
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in BOOKKEEPING_TABLES]
    with migrate.migration_connection(database) as connection:
        existing = set(sa.inspect(connection).get_table_names())
        for table in tables:
            if table.name in existing:
                connection.execute(table.delete())
        for name, rows in installation.baseline.items():
            if rows:
                connection.execute(installation.tables[name].insert(), rows)


@pytest.fixture
def committed_db(
    crm_committed_app: Flask, crm_committed_installation: Installation
) -> Iterator[Database]:
    """A database whose writes commit (for threads, processes, browsers, servers).

    Emptied after the test, the departments and enablements put back.
    """
    database = get_host(crm_committed_app).db
    yield database
    _truncate(database, crm_committed_installation)


@pytest.fixture
def committed_app(crm_committed_app: Flask, committed_db: Database) -> Flask:
    """The application of the ``committed_db`` tier."""
    return crm_committed_app


@pytest.fixture
def make_user(db: sa.orm.Session) -> Callable[..., User]:
    """Create a user: ``make_user("ann", departments=["sales"], role="agent", admin=False)``.

    The role (``manager`` by default) applies in each of the user's departments.
    """
    counter = iter(range(1, 1_000_000))

    def make(
        username: str | None = None,
        *,
        departments: list[str] | tuple[str, ...] = (),
        admin: bool = False,
        password: str = TEST_PASSWORD,
        role: str | None = "manager",
    ) -> User:
        user = create_user(
            db,
            username=username or f"user{next(counter)}",
            password=password,
            name=(username or "Test user").title(),
            departments=departments,
            is_admin=admin,
            role=role,
        )
        db.commit()
        return user

    return make


@pytest.fixture
def make_customer(db: sa.orm.Session) -> Callable[..., Customer]:
    """Create a customer through the host's service: ``make_customer(phone="13800138000")``.

    Codes run ``T00001``, ``T00002``…; any field of the API can be given.
    """
    from crm_host.domain.customers.service import create_customer

    counter = iter(range(1, 1_000_000))

    def make(**fields: Any) -> Customer:
        n = next(counter)
        data = {"code": f"T{n:05d}", "name": f"客户{n}", "kind": "person", **fields}
        customer = create_customer(db, data)
        db.commit()
        return customer

    return make


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Sign ``client`` in as ``user`` without going through the password check."""
    from crm_host.core.db import utcnow

    # The epoch as the database has it now: a sign-out elsewhere may have moved it on.
    with get_host(client.application).db.session_factory() as session:
        epoch = session.scalar(sa.select(User.session_epoch).where(User.id == user.id)) or 0
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = f"{user.id}:{epoch}"
        flask_session["_fresh"] = True
        flask_session["crm_signed_in_at"] = utcnow().timestamp()
    return client


@pytest.fixture
def client_for(app: Flask) -> Callable[[User], FlaskClient]:
    """A test client signed in as a user: ``client_for(user).get("/api/v1/auth/me")``."""

    def make(user: User) -> FlaskClient:
        return login(app.test_client(), user)

    return make


@pytest.fixture
def cli(app: Flask) -> Callable[..., Any]:
    """Run a ``crm`` command against the test app: ``cli("plugins", "list")``."""
    from crm_host.cli.main import cli as crm

    runner: FlaskCliRunner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(crm, list(args), input=input, catch_exceptions=False)

    return invoke
