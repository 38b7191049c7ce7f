"""The benchmarks. Each returns figures: ours, the baseline, and their ratio."""

from __future__ import annotations

import csv
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crm_host.bench.api import bench_api
from crm_host.bench.data import COLUMNS, write_customers_csv
from crm_host.bench.figures import SIZES, Figure, timer
from crm_host.bench.phones import bench_phone_normalisation
from crm_host.bench.registry import BenchmarkRegistry, collect_benchmarks
from crm_host.bench.search import bench_search
from crm_host.domain.customers.rules import FIELDS


class Databases:
    """Fresh databases for one benchmark run, dropped afterwards."""

    def __init__(self, backend: str, server: str | None, workdir: Path) -> None:
        from crm_host.testing.databases import TestDatabases

        if backend == "postgresql" and not server:
            raise ValueError("--database postgresql needs CRM_BENCH_DATABASE_URL (a server URL)")
        self.backend = backend
        self.databases = TestDatabases(
            workdir, sa.make_url(server) if backend == "postgresql" else None
        )

    def create(self, label: str) -> sa.URL:
        """A new empty database."""
        return self.databases.create(label)

    def prepared(self, label: str, plugins: list[str]) -> sa.URL:
        """A new database with the host migrated and ``plugins`` installed."""
        from crm_host.testing import prepare_database

        url = self.create(label)
        prepare_database(url, plugins, {})
        return url

    def load_customers(self, url: sa.URL, workdir: Path, rows: int) -> None:
        """Bulk-load ``rows`` generated customers (codes ``B00000000``…) into ``url``."""
        source = workdir / f"customers-{rows}.csv"
        if not source.exists():  # the same rows every time: write the file once per run
            write_customers_csv(source, rows)
        if self.backend == "sqlite":
            _raw_sqlite(url, source)
        else:
            _raw_copy(url, source)

    def close(self) -> None:
        """Drop them all."""
        self.databases.close()


def bench_import(size: str, dbs: Databases, workdir: Path) -> list[Figure]:
    """Customer import through the real path vs a raw bulk load of the same file."""
    from crm_host.app import create_app
    from crm_host.domain.importing import jobs as import_jobs
    from crm_host.runtime._runner import Runner
    from crm_host.runtime.facade import enqueue
    from crm_host.testing import prepare_database

    rows = SIZES[size]
    source = write_customers_csv(workdir / f"customers-{size}.csv", rows)

    url = dbs.create("import")
    prepare_database(url, [], {})
    app = create_app(
        {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "SECRET_KEY": "bench",
            "WORKER_THREAD": False,
        },
        instance_path=str(workdir / "instance"),
    )
    host = app.extensions["crm"]
    with host.db.session() as session:
        args = import_jobs.job_args(source, batch_size=5000)
        enqueue(session, import_jobs.JOB_NAME, args, key=import_jobs.file_key(source))
    with timer() as elapsed:
        Runner(app).run_due(names=[import_jobs.JOB_NAME])
    ours_seconds = elapsed()
    with host.db.engine.connect() as connection:
        imported = connection.scalar(sa.text("SELECT count(*) FROM customers"))
    if imported != rows:
        raise RuntimeError(f"the import wrote {imported} customers of {rows}")
    host.db.dispose()

    baseline_url = dbs.create("raw")
    prepare_database(baseline_url, [], {})
    if dbs.backend == "sqlite":
        seconds, name = _raw_sqlite(baseline_url, source), "sqlite3 executemany, one transaction"
    else:
        seconds, name = _raw_copy(baseline_url, source), "PostgreSQL COPY"
    return [
        Figure(
            "import",
            f"customers imported ({rows:,} rows x {len(COLUMNS)} columns)",
            "rows/s",
            rows / ours_seconds,
            rows / seconds,
            name,
        ),
        # Its own line: parsing numbers is the one step whose cost grows with their forms.
        bench_phone_normalisation(rows),
    ]


def _raw_rows(source: Path) -> list[list[Any]]:
    with source.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        return [row[: len(FIELDS)] for row in reader]


_RAW_COLUMNS = [*FIELDS, "search_name", "custom", "preferences", "created_at", "updated_at"]


def _raw_sqlite(url: sa.URL, source: Path) -> float:
    path = url.database
    with timer() as elapsed:
        rows = _raw_rows(source)
        connection = sqlite3.connect(path)
        now = "2026-01-01 00:00:00"
        connection.executemany(
            f"INSERT INTO customers ({', '.join(_RAW_COLUMNS)}) VALUES ({', '.join('?' * len(_RAW_COLUMNS))})",
            ([*row, row[1], "{}", "{}", now, now] for row in rows),
        )
        connection.commit()
        connection.close()
    return elapsed()


def _raw_copy(url: sa.URL, source: Path) -> float:
    import psycopg

    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with timer() as elapsed:
        rows = _raw_rows(source)
        statement = f"COPY customers ({', '.join(_RAW_COLUMNS)}) FROM STDIN"
        with (
            psycopg.connect(dsn) as connection,
            connection.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        *(v or None for v in row),
                        row[1],
                        "{}",
                        "{}",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                    ]
                )
    return elapsed()


def run(
    names: list[str], size: str, backend: str, server: str | None, registry: BenchmarkRegistry
) -> list[Figure]:
    """Run the named benchmarks of ``registry``; returns every figure."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        workdir = Path(tmp)
        dbs = Databases(backend, server, workdir)
        try:
            for name in names:
                benchmark = registry.get(name)
                if benchmark is None:
                    raise ValueError(f"no benchmark named {name}; crm bench --list shows them")
                figures += benchmark.function(size, dbs, workdir)
        finally:
            dbs.close()
    return figures


def app_for(url: sa.URL, workdir: Path, label: str, **config: Any) -> Any:
    """An application on the database at ``url`` for a benchmark (no worker thread)."""
    from crm_host.app import create_app

    return create_app(
        {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "SECRET_KEY": "bench",
            "WORKER_THREAD": False,
            **config,
        },
        instance_path=str(workdir / f"instance-{label}"),
    )


def _app_with_customers(dbs: Databases, workdir: Path, rows: int, plugins: list[str]) -> Any:
    """An app on a fresh database holding ``rows`` customers (bulk-loaded) and an admin."""
    from crm_host.app import create_app
    from crm_host.domain.directory import create_user
    from crm_host.testing import prepare_database

    url = dbs.create("api")
    prepare_database(url, plugins, {"sales": ("Sales", [p for p in plugins if p == "sales"])})
    source = write_customers_csv(workdir / f"api-{rows}.csv", rows)
    if dbs.backend == "sqlite":
        _raw_sqlite(url, source)
    else:
        _raw_copy(url, source)
    app = create_app(
        {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "SECRET_KEY": "bench",
            "WORKER_THREAD": False,
        },
        instance_path=str(workdir / "instance-api"),
    )
    with app.extensions["crm"].db.session() as session:
        user = create_user(
            session, username="bench", password="measured-not-guessed", is_admin=True
        )
    return app, user


def bench_hooks(size: str, dbs: Databases, workdir: Path) -> list[Figure]:
    """The share of request time spent dispatching hooks, with all built-ins installed."""
    from crm_host.plugins.manager import PluginManager
    from crm_host.testing import login

    app, user = _app_with_customers(
        dbs, workdir, min(SIZES[size], 10_000), ["sales", "service", "marketing", "industry_power"]
    )
    spent = [0.0]
    original = PluginManager.call_each

    def timed(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    client = login(app.test_client(), user)
    PluginManager.call_each = timed  # type: ignore[method-assign]
    try:
        with timer() as elapsed:
            for n in range(300):
                client.get("/" if n % 3 == 0 else "/api/v1/customers?limit=20")
    finally:
        PluginManager.call_each = original  # type: ignore[method-assign]
    share = 100 * spent[0] / elapsed()
    return [
        Figure(
            "hooks",
            "hook dispatch share of request time (dashboard + API)",
            "%",
            share,
            5.0,
            "target: at most 5%",
            higher_is_better=False,
        )
    ]


def register_host_benchmarks(registry: BenchmarkRegistry) -> None:
    """The host's own benchmarks, registered before any plugin's."""
    registry.add("import", bench_import, description="customer import vs a raw bulk load")
    registry.add(
        "api",
        bench_api,
        description="API details and keyset pages under gunicorn vs bare Flask + Core",
    )
    registry.add("hooks", bench_hooks, description="hook dispatch share of request time")
    registry.add("search", bench_search, description="global search latency vs a plain LIKE")


def all_benchmarks() -> BenchmarkRegistry:
    """The host's benchmarks and those of every present plugin."""
    return collect_benchmarks(present_plugins(), register_host_benchmarks)


def present_plugins() -> Any:
    """A plugin manager with every present plugin loaded, installed or not.

    A benchmark run builds its own databases and installs what it needs there, so
    it measures every plugin the environment provides, whatever the local database
    holds. A plugin that cannot be loaded stops the run with a message naming it.
    """
    from crm_host.plugins.manager import PluginManager, discover

    discovery = discover()
    manager = PluginManager()
    manager.load(discovery, discovery.manifests)
    return manager
