"""A segment over a large generated database of customers: one SELECT, the right count.

``CRM_MARKETING_SCALE_ROWS`` sets the size (100,000 by default, which keeps the suite
short; a million has been run: 39,827 members counted in one SELECT). The time it
takes is printed for the record, not asserted — speed targets live in ``crm bench``.
"""

from __future__ import annotations

import os
import time
from datetime import date

import sqlalchemy as sa
from crm_marketing import segments
from crm_marketing.rules import compile_rules

from crm_host.db import Database, utcnow
from crm_host.host import get_host
from crm_host.models import Customer
from crm_host.testing import build_app, prepare_database

ROWS = int(os.environ.get("CRM_MARKETING_SCALE_ROWS", "100000"))
CITIES = ["苏州", "南京", "无锡", "常州", "上海", "杭州", "合肥"]
EDUCATION = ["bachelor", "master", "doctor", None]
RULES = {
    "all": [
        {"field": "city", "op": "eq", "value": "苏州"},
        {"field": "gender", "op": "eq", "value": "female"},
        {
            "any": [
                {"field": "education", "op": "in", "value": ["master", "doctor"]},
                {"field": "age_band", "op": "in", "value": ["65+"]},
            ]
        },
        {"not": {"field": "tier", "op": "eq", "value": "blocked"}},
    ]
}


def row(i: int, now) -> dict:
    return {
        "code": f"S{i:08d}",
        "kind": "person",
        "name": f"客户{i}",
        "search_name": f"客户{i}",
        "lifecycle_stage": "customer",
        "preferences": {},
        "custom": {},
        "created_at": now,
        "updated_at": now,
        "city": CITIES[i % 7],
        "gender": "female" if i % 2 else "male",
        "education": EDUCATION[i % 4],
        "birth_date": date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
        "tier": "blocked" if i % 11 == 0 else None,
    }


def load(database: Database, now) -> None:
    """Write the rows the fastest plain way each database has: COPY on PostgreSQL,
    executemany of prepared tuples on SQLite (the ORM would take minutes)."""
    columns = list(row(0, now))
    table = Customer.__table__
    with database.engine.begin() as connection:
        dialect = connection.dialect
        if dialect.name == "postgresql":
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY customers ({', '.join(columns)}) FROM STDIN") as copy:
                for i in range(ROWS):
                    values = row(i, now)
                    values["preferences"] = values["custom"] = "{}"
                    copy.write_row([values[c] for c in columns])
            return
        # The columns' own bind processors store dates and JSON as the models would.
        processors = {c: table.c[c].type.bind_processor(dialect) for c in columns}
        insert = (
            f"INSERT INTO customers ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )
        # Dates and the two JSON values repeat: process each distinct value once.
        memo: dict[tuple[str, object], object] = {}

        def stored(column: str, value: object) -> object:
            process = processors[column]
            if process is None or value is None or isinstance(value, str):
                return value
            key = (column, value if not isinstance(value, dict) else "{}")
            if key not in memo:
                memo[key] = process(value)
            return memo[key]

        for start in range(0, ROWS, 50_000):
            batch = [
                tuple(stored(c, v) for c, v in row(i, now).items())
                for i in range(start, min(start + 50_000, ROWS))
            ]
            connection.exec_driver_sql(insert, batch)


def expected(today: date) -> int:
    """The same rules, worked out in Python over the same generator."""
    found = 0
    for i in range(ROWS):
        if CITIES[i % 7] != "苏州" or i % 2 == 0 or i % 11 == 0:
            continue
        born = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if EDUCATION[i % 4] in ("master", "doctor") or age >= 65:
            found += 1
    return found


def test_a_segment_over_many_customers_is_one_select(crm_databases, tmp_path):
    url = crm_databases.create("marketing_scale")
    prepare_database(url, ["marketing"], {})
    database = Database(url)
    started = time.perf_counter()
    load(database, utcnow())
    loaded = time.perf_counter() - started
    database.dispose()

    app = build_app(url, tmp_path)
    with app.app_context():
        session = get_host(app).session
        condition = compile_rules(session, RULES)
        statements: list[str] = []

        def seen(conn, cursor, statement, *args):
            statements.append(statement)

        engine = get_host(app).db.engine
        sa.event.listen(engine, "before_cursor_execute", seen)
        started = time.perf_counter()
        try:
            counted = segments.count(session, condition)
        finally:
            sa.event.remove(engine, "before_cursor_execute", seen)
        took = time.perf_counter() - started
    get_host(app).db.dispose()
    print(f"\n{ROWS} customers loaded in {loaded:.1f}s; segment counted in {took:.2f}s: {counted}")
    # SQLite sessions open with BEGIN IMMEDIATE; besides that, one SELECT and nothing else.
    issued = [s for s in statements if not s.upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]
    assert len(issued) == 1 and issued[0].lstrip().upper().startswith("SELECT")
    assert counted == expected(date.today())
