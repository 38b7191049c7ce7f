"""Every installed plugin's transactions as one relation, queried with plain SQL."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_host.domain.analytics import SourceError, source_problems, transactions
from crm_host.domain.customers import service

FIXTURES = Path(__file__).parent / "fixtures" / "plugins"


@pytest.fixture
def ledger(app, db, monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))
    module = importlib.import_module("crm_fx_ledger")
    module.invoices.create(db.connection())
    plugins = app.extensions["crm"].plugins
    plugins.pm.register(module, name="fx_ledger")
    module.BAD.update(on=False, integer_ref=False)
    yield module
    plugins.pm.unregister(name="fx_ledger")
    module.BAD.update(on=False, integer_ref=False)  # other tests check the module too


@pytest.mark.hookspec("crm_transaction_sources")
def test_sources_union_into_one_relation(db, ledger):
    a = service.create_customer(db, {"code": "T1", "name": "甲", "kind": "person"})
    b = service.create_customer(db, {"code": "T2", "name": "乙", "kind": "person"})
    when = datetime(2026, 3, 1, tzinfo=UTC)
    db.execute(
        ledger.invoices.insert(),
        [
            {
                "customer_id": a.id,
                "issued_at": when,
                "total": Decimal("1200.00"),
                "currency": "CNY",
                "number": "I1",
            },
            {
                "customer_id": a.id,
                "issued_at": when,
                "total": Decimal("300.50"),
                "currency": "CNY",
                "number": "I2",
            },
            {
                "customer_id": b.id,
                "issued_at": when,
                "total": Decimal("80.00"),
                "currency": "CNY",
                "number": "I3",
            },
        ],
    )
    t = transactions(db)
    totals = dict(
        db.execute(
            sa.select(t.c.customer_id, sa.func.sum(t.c.amount)).group_by(t.c.customer_id)
        ).all()
    )
    # a: 1200.00 + 300.50 - 120.00 (the credit on the invoice of 1000 or more) = 1380.50
    assert totals == {a.id: Decimal("1380.50"), b.id: Decimal("80.00")}
    sources = sorted(db.scalars(sa.select(t.c.source).distinct()))
    assert sources == ["fx_ledger", "fx_ledger.credit"]


def test_no_sources_is_an_empty_relation(db):
    t = transactions(db)
    assert db.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() == 0


def test_a_misshapen_source_is_refused_naming_the_plugin(db, ledger):
    ledger.BAD["on"] = True
    with pytest.raises(SourceError) as refused:
        transactions(db)
    assert str(refused.value) == (
        "plugin fx_ledger: transaction source 1: it must select customer_id, occurred_at, "
        "amount, currency, source, ref in that order, not customer_id, total"
    )


def test_a_mistyped_source_is_refused_naming_the_plugin_before_the_union(db, ledger):
    # An integer ref compiles and runs on SQLite; PostgreSQL's UNION ALL with another
    # plugin's varchar ref fails naming no plugin. The union builder refuses it first.
    ledger.BAD["integer_ref"] = True
    with pytest.raises(SourceError) as refused:
        transactions(db)
    assert str(refused.value) == (
        "plugin fx_ledger: transaction source 1: it selects ref as INTEGER, but the contract "
        "wants a string (String): cast it, e.g. sa.cast(..., sa.String).label('ref')"
    )


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (sa.literal(1).label("ref"), "ref as INTEGER"),
        (sa.literal(1.5, sa.Float).label("amount"), "amount as FLOAT"),
        (sa.literal("x").label("customer_id"), "customer_id as VARCHAR"),
        (sa.literal(date(2026, 1, 1)).label("occurred_at"), "occurred_at as DATE"),
        (sa.literal_column("'x'").label("currency"), "currency as NullType"),
    ],
)
def test_each_column_is_checked_for_its_kind(column, expected):
    good = {
        "customer_id": sa.literal(1),
        "occurred_at": sa.literal(datetime(2026, 1, 1, tzinfo=UTC)),
        "amount": sa.literal(Decimal("1.00")),
        "currency": sa.literal("CNY"),
        "source": sa.literal("s"),
        "ref": sa.literal("r"),
    }
    good[column.key] = column.element
    statement = sa.select(*(value.label(key) for key, value in good.items()))
    [problem] = source_problems(statement)
    assert problem.startswith(f"it selects {expected}, but the contract wants")
