"""The API benchmark: customer details and 50-row keyset pages under gunicorn, vs bare Flask.

Both servers run under gunicorn with the same settings on the same database; one
bounded loopback load drives each in turn (:mod:`crm_host.bench.load`): 32
keep-alive connections, each walking the customer list in name order from its own
starting point, page then detail, signed in with an API token of a staff user. The
baseline is :mod:`crm_host.bench.bare_api`, the same queries without the host. The
two must answer the same ids for the same requests, and the same JSON for a page
and a detail, or the run fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from crm_host.bench.figures import SIZES, Figure, baseline_library, not_installed

#: Concurrent keep-alive connections, as the issue asks.
CONNECTIONS = 32
#: Page-and-detail steps per connection (two requests each), by size.
STEPS = {"S": 12, "M": 30, "L": 60}
#: No request starts after this many seconds of one server's run, by size.
DEADLINE = {"S": 60.0, "M": 180.0, "L": 300.0}
#: The same for both servers: two processes of four threads (gthread keeps connections alive).
WORKERS, THREADS = 2, 4
#: The issue's latency target.
P99_TARGET_MS = 100.0
BARE_APP = "crm_host.bench.bare_api:create_app()"
DEPARTMENT = "sales"


def prepare(dbs: Any, url: sa.URL, workdir: Path, rows: int) -> str:
    """Fill the database at ``url`` (host migrated) for the API; returns an API token.

    ``rows`` generated customers, a quarter tagged ``vip`` and a quarter ``new``, a
    third in the Sales department, and an agent of that department holding the token.
    """
    from crm_host.core.db import Database
    from crm_host.core.models import Department, Tag
    from crm_host.core.models.customers import customer_departments, customer_tags
    from crm_host.domain.directory import create_department, create_user, ensure_standard_roles
    from crm_host.security.tokens import create_token

    dbs.load_customers(url, workdir, rows)
    database = Database(url)
    try:
        with database.session() as session:
            ensure_standard_roles(session)
            create_department(session, code=DEPARTMENT, name="Sales")
            session.add_all([Tag(name="vip"), Tag(name="new")])
            session.flush()
            user = create_user(
                session,
                username="bench-agent",
                password="measured-not-guessed",
                departments=[DEPARTMENT],
                role="agent",
            )
            _, secret = create_token(session, user, name="bench")
            session.commit()
        with database.engine.begin() as connection:
            ids = dict(connection.execute(sa.select(Tag.name, Tag.id)).all())
            department = connection.scalar(
                sa.select(Department.id).where(Department.code == DEPARTMENT)
            )
            customers = sa.table("customers", sa.column("id"))
            for remainder, tag in ((1, "vip"), (3, "new")):
                connection.execute(
                    customer_tags.insert().from_select(
                        ["customer_id", "tag_id"],
                        sa.select(customers.c.id, sa.literal(ids[tag])).where(
                            customers.c.id % 4 == remainder
                        ),
                    )
                )
            connection.execute(
                customer_departments.insert().from_select(
                    ["customer_id", "department_id"],
                    sa.select(customers.c.id, sa.literal(department)).where(
                        customers.c.id % 3 == 0
                    ),
                )
            )
        if dbs.backend == "postgresql":
            with database.engine.connect() as connection:
                connection.execute(sa.text("ANALYZE"))
                connection.commit()
    finally:
        database.dispose()
    return secret


def start_cursors(url: sa.URL, connections: int) -> list[str | None]:
    """A cursor for each connection, spread evenly over the customers in name order."""
    from crm_host.core.db import create_engine
    from crm_host.core.models import Customer
    from crm_host.core.pagination import encode_cursor

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            total = connection.scalar(
                sa.select(sa.func.count()).where(Customer.archived_at.is_(None))
            )
            spacing = max(1, (total or 0) // connections)
            ranked = (
                sa.select(
                    Customer.search_name,
                    Customer.id,
                    sa.func.row_number()
                    .over(order_by=(Customer.search_name, Customer.id))
                    .label("n"),
                )
                .where(Customer.archived_at.is_(None))
                .subquery()
            )
            rows = connection.execute(
                sa.select(ranked.c.search_name, ranked.c.id)
                .where(ranked.c.n % spacing == 0)
                .order_by(ranked.c.n)
                .limit(connections - 1)
            ).all()
    finally:
        engine.dispose()
    starts: list[str | None] = [None]
    starts += [encode_cursor([name, id_]) for name, id_ in rows]
    return (starts * connections)[:connections]


def _same_answers(base: str, bare: str, headers: dict[str, str], cursor: str | None) -> None:
    """Fail unless both servers answer the same JSON for a page and for a detail."""
    params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
    pages = [
        requests.get(f"{b}/api/v1/customers", params=params, headers=headers, timeout=60).json()
        for b in (base, bare)
    ]
    chosen = pages[0]["items"][7]["id"]
    details = [
        requests.get(f"{b}/api/v1/customers/{chosen}", headers=headers, timeout=60).json()
        for b in (base, bare)
    ]
    for what, (ours, theirs) in (("page", pages), ("detail", details)):
        if ours != theirs:
            item = ours["items"][0] if what == "page" else ours
            other = theirs["items"][0] if what == "page" else theirs
            differing = sorted(
                k for k in set(item) | set(other) if item.get(k, ...) != other.get(k, ...)
            )
            raise RuntimeError(
                f"the API and the bare app answer a {what} differently: {differing or 'rows'}"
            )


def bench_api(size: str, dbs: Any, workdir: Path) -> list[Figure]:
    """Throughput and latency of details and keyset pages under gunicorn vs bare Flask + Core."""
    from crm_host.bench.bare_api import ENV_VAR
    from crm_host.bench.load import run_load
    from crm_host.testing.servers import gunicorn

    rows = SIZES[size]
    title = f"{CONNECTIONS} connections, {rows:,} customers"
    if baseline_library("aiohttp") is None:
        return [Figure("api", f"requests/s ({title})", "req/s", 0.0, 0.0, not_installed("aiohttp"))]
    url = dbs.prepared("api", [])
    secret = prepare(dbs, url, workdir, rows)
    starts = start_cursors(url, CONNECTIONS)
    headers = {"Authorization": f"Bearer {secret}"}
    settings: dict[str, Any] = {"workers": WORKERS, "threads": THREADS}
    results = {}
    with (
        gunicorn(url, workdir / "instance-api", **settings) as ours,
        gunicorn(
            url,
            workdir / "instance-bare",
            app=BARE_APP,
            env={ENV_VAR: url.render_as_string(hide_password=False)},
            **settings,
        ) as bare,
    ):
        _same_answers(ours, bare, headers, starts[1])
        for side, base in (("ours", ours), ("bare", bare)):
            run_load(base, starts, steps=2, headers=headers, deadline=DEADLINE[size])  # warm-up
            results[side] = result = run_load(
                base, starts, steps=STEPS[size], headers=headers, deadline=DEADLINE[size]
            )
            if result.errors:
                raise RuntimeError(f"the {side} server failed: {result.errors[0]}")
    _compare_walks(results["ours"].answers, results["bare"].answers)
    ours, bare = results["ours"], results["bare"]
    short = " (cut short by the deadline)" if ours.cut_short or bare.cut_short else ""
    p99 = ours.percentile(0.99) * 1000
    return [
        Figure(
            "api",
            f"requests/s, detail + 50-row page ({title}){short}",
            "req/s",
            ours.throughput,
            bare.throughput,
            f"bare Flask + SQLAlchemy Core, same queries, gunicorn {WORKERS}x{THREADS}",
        ),
        Figure(
            "api",
            f"p99 latency ({title})",
            "ms",
            p99,
            P99_TARGET_MS,
            f"target: at most {P99_TARGET_MS:.0f} ms (bare: {bare.percentile(0.99) * 1000:.0f} ms)",
            higher_is_better=False,
        ),
        Figure(
            "api",
            f"p50 latency ({title})",
            "ms",
            ours.percentile(0.5) * 1000,
            bare.percentile(0.5) * 1000,
            "bare Flask + SQLAlchemy Core p50",
            higher_is_better=False,
        ),
    ]


def _compare_walks(ours: list[list[tuple[int, ...]]], bare: list[list[tuple[int, ...]]]) -> None:
    """Fail unless each connection saw the same ids on both servers (as far as both went)."""
    for index, (mine, theirs) in enumerate(zip(ours, bare, strict=True)):
        common = min(len(mine), len(theirs))
        if common == 0 or mine[:common] != theirs[:common]:
            step = next(
                (n for n in range(common) if mine[n] != theirs[n]), common
            )  # first difference
            raise RuntimeError(
                f"connection {index}: the API and the bare app answered different ids "
                f"at request {step}"
            )
