"""Every installed plugin's transactions as one relation, queried with plain SQL."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_host.analytics import SourceError, transactions
from crm_host.customers import service

FIXTURES = Path(__file__).parent / "fixtures" / "plugins"


@pytest.fixture
def ledger(app, db, monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))
    module = importlib.import_module("crm_fx_ledger")
    module.invoices.create(db.connection())
    plugins = app.extensions["crm"].plugins
    plugins.pm.register(module, name="fx_ledger")
    module.BAD["on"] = False
    yield module
    plugins.pm.unregister(name="fx_ledger")


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
    with pytest.raises(SourceError, match="plugin fx_ledger: a transaction source must select"):
        transactions(db)
