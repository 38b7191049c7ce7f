"""``crm bench search``: global search latency vs a plain ``LIKE`` over customer names.

Ours is the whole of :func:`crm_host.core.objects.search.search` as a user with scope
``all`` runs it (gates, record rules, a count and the first hits per type, over
every installed plugin's types); the baseline is what a hand-written search box
would do: one ``LIKE '%q%'`` with a count and the first rows, on customers only.
Both answer the same queries on the same data, and the customers each finds must
agree, because a faster wrong answer is no result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crm_host.bench.figures import Figure, timer

#: Customers per size: tiny at S (CI runs it), the issue's figure at M.
ROWS = {"S": 2_000, "M": 100_000, "L": 1_000_000}
#: Two-character Chinese names, a surname and a code: what people type.
QUERIES = ("王芳", "李", "张伟", "B00000042", "刘敏")
PLUGINS = ["sales", "service", "marketing", "industry_power"]
PER_TYPE = 5


def _baseline(connection: sa.Connection, q: str) -> tuple[int, list[int]]:
    """A plain LIKE search box: how many customers match, and the first ids by name."""
    pattern = f"%{q}%"
    where = "name LIKE :p OR code = :q"
    total = connection.execute(
        sa.text(f"SELECT count(*) FROM customers WHERE {where}"), {"p": pattern, "q": q}
    ).scalar_one()
    rows = connection.execute(
        sa.text(f"SELECT id FROM customers WHERE {where} ORDER BY name, id LIMIT {PER_TYPE}"),
        {"p": pattern, "q": q},
    )
    return total, [row[0] for row in rows]


def _ours(app: Any, user: Any, q: str) -> tuple[int, list[int]]:
    from crm_host.core.objects.search import search

    host = app.extensions["crm"]
    with host.db.session() as session:
        results = search(session, session.merge(user), q, per_type=PER_TYPE)
    customers = next((r for r in results if r.type == "customer"), None)
    if customers is None:
        return 0, []
    return customers.total, [int(hit.id) for hit in customers.hits]


def _user(app: Any) -> Any:
    from crm_host.domain.directory import create_user

    host = app.extensions["crm"]
    with host.db.session() as session:
        user = create_user(
            session,
            username="bench-search",
            password="correct horse battery staple",
            departments=["all"],
            role="manager",
        )
        session.commit()
        session.expunge(user)
    return user


def bench_search(size: str, dbs: Any, workdir: Path) -> list[Figure]:
    """Milliseconds per global search vs a plain LIKE query, same customers, same queries."""
    from crm_host.app import create_app

    rows = ROWS[size]
    from crm_host.testing import prepare_database

    url = dbs.create("search")
    prepare_database(url, PLUGINS, {"all": ("Everyone", PLUGINS)})
    dbs.load_customers(url, workdir, rows)
    app = create_app(
        {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "SECRET_KEY": "bench",
            "WORKER_THREAD": False,
        },
        instance_path=str(workdir / "instance-search"),
    )
    user = _user(app)
    engine = sa.create_engine(url)
    rounds = 3
    with app.app_context():
        for q in QUERIES:  # warm both, and check they agree
            with engine.connect() as connection:
                theirs = _baseline(connection, q)
            mine = _ours(app, user, q)
            if mine[0] != theirs[0]:
                raise RuntimeError(f"search for {q!r}: ours counts {mine[0]}, LIKE {theirs[0]}")
        with timer() as ours_elapsed:
            for _ in range(rounds):
                for q in QUERIES:
                    _ours(app, user, q)
    with engine.connect() as connection, timer() as base_elapsed:
        for _ in range(rounds):
            for q in QUERIES:
                _baseline(connection, q)
    engine.dispose()
    app.extensions["crm"].db.dispose()
    count = rounds * len(QUERIES)
    return [
        Figure(
            "search",
            f"global search, {rows:,} customers, every installed plugin's types",
            "ms/query",
            ours_elapsed() * 1000 / count,
            base_elapsed() * 1000 / count,
            "plain LIKE + count on customers only",
            higher_is_better=False,
        )
    ]
