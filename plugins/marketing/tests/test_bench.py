"""``crm bench marketing.*`` runs at a tiny size, and its count agrees with DuckDB's and by hand.

No timing is asserted: the figures' values are the benchmark's output, not a test.
"""

from __future__ import annotations

import os
from datetime import timedelta

import numpy
import sqlalchemy as sa
from crm_marketing import bench, bench_sources

from crm_host.bench._runs import all_benchmarks, run
from crm_host.sdk.bench import Databases

SERVER = os.environ.get("CRM_TEST_DATABASE_URL")
BACKEND = "postgresql" if SERVER else "sqlite"


def test_the_benchmarks_are_registered_by_the_plugin():
    registry = all_benchmarks()
    assert registry.get("marketing.segment_count").plugin == "marketing"
    assert registry.get("marketing.campaign_send").plugin == "marketing"


def by_hand(customer_ids, customers, amounts):
    """The rule worked out over the generated arrays: purchases and spend per customer."""
    purchases = numpy.bincount(customers, minlength=customer_ids.max() + 1)
    spend = numpy.bincount(customers, weights=amounts, minlength=customer_ids.max() + 1)
    chosen = (purchases >= bench.MIN_PURCHASES) & (spend >= bench.MIN_SPEND)
    return int(chosen[customer_ids].sum())


def test_a_tiny_segment_count_agrees_with_duckdb_and_by_hand(monkeypatch):
    monkeypatch.setitem(bench.SIZES, "S", 400)
    [figure] = run(["marketing.segment_count"], "S", BACKEND, SERVER, all_benchmarks())
    assert figure.benchmark == "marketing.segment_count" and figure.unit == "s"
    assert not figure.higher_is_better and figure.ours > 0 and figure.baseline > 0
    assert "(same count)" in figure.baseline_name
    customer_ids = numpy.arange(1, 401)
    customers, amounts, _days = bench.transactions(customer_ids, 4_000)
    expected = by_hand(customer_ids, customers, amounts)
    assert 0 < expected < 400
    assert figure.figure.endswith(f"({expected:,} found)")


def test_without_duckdb_the_baseline_is_reported_as_not_installed(monkeypatch, tmp_path):
    monkeypatch.setitem(bench.SIZES, "S", 50)
    monkeypatch.setattr(bench, "baseline_library", lambda name: None)
    databases = Databases(BACKEND, SERVER, tmp_path)
    try:
        [figure] = bench.bench_segment_count("S", databases, tmp_path)
    finally:
        databases.close()
    assert figure.baseline == 0 and figure.ratio == 0 and figure.ours > 0
    assert figure.baseline_name.startswith("baseline not installed (duckdb")


def test_a_tiny_campaign_send_reaches_exactly_the_consenting_uncapped_customers(monkeypatch):
    monkeypatch.setitem(bench.RECIPIENTS, "S", 60)
    [figure] = run(["marketing.campaign_send"], "S", BACKEND, SERVER, all_benchmarks())
    # Of 60 customers, 6 never consented (i % 10 == 9) and 6 had a message this week.
    assert bench.expected_recipients(60) == 48
    assert figure.figure == "campaign send: 60 customers, 48 messages to the outbox (consent, cap)"
    assert figure.unit == "messages/s" and figure.ours > 0 and figure.baseline > 0


def _source(*extra):
    """A transaction source over a table of its own metadata, with ``extra`` columns."""
    table = sa.Table(
        "fx_payments",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("payer", sa.Integer, nullable=False),
        sa.Column("paid_at", sa.DateTime, nullable=False),
        sa.Column("total", sa.Numeric(18, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("receipt", sa.String(32), nullable=False),
        sa.Column("note", sa.String(10)),  # nullable: left empty
        *extra,
    )
    return sa.select(
        table.c.payer.label("customer_id"),
        table.c.paid_at.label("occurred_at"),
        table.c.total.label("amount"),
        table.c.currency.label("currency"),
        sa.literal("fx.payment").label("source"),
        table.c.receipt.label("ref"),
    )


def test_the_transactions_go_into_a_source_table_found_through_the_union():
    """The benchmark fills the table a transaction source reads, whatever it is called,
    and passes over one it cannot fill."""
    target = bench_sources.fillable(_source(sa.Column("booked_at", sa.DateTime, nullable=False)))
    assert target.table.name == "fx_payments"
    assert target.columns == ("payer", "paid_at", "total", "currency", "receipt", "booked_at")
    assert target.labels == (
        "customer_id",
        "occurred_at",
        "amount",
        "currency",
        "ref",
        "occurred_at",
    )
    [row] = bench_sources.rows(
        target, numpy.array([7]), numpy.array([120]), numpy.array([2]), bench.START
    )
    moment = bench.START + timedelta(days=2)
    assert row == (7, moment, 120, "CNY", "BENCH000000000", moment)
    # A required column the benchmark knows nothing of, or a computed label: not fillable.
    assert bench_sources.fillable(_source(sa.Column("kind", sa.String(5), nullable=False))) is None
    computed = _source().with_only_columns(sa.literal(1).label("customer_id"))
    assert bench_sources.fillable(computed) is None
