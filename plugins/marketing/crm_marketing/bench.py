"""``crm bench marketing.*``: a segment count over many customers and their transactions
against DuckDB on the same data in Parquet, and a campaign send's messages a second.

The segment is an RFM rule (frequency and monetary over the host's transaction union)
compiled by marketing's own rule compiler and counted in one SELECT, as the console's
segment builder counts it. Transactions go into the table behind a transaction source
of the plugins marketing ``uses`` (:mod:`crm_marketing.bench_sources` finds it through
the union); without one there is nothing to count. DuckDB and pyarrow are the bench extra's, imported by name when the benchmark
runs: the plugin never needs them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crm_host.sdk import get_host
from crm_host.sdk.bench import (
    SIZES,
    Databases,
    Figure,
    app_for,
    baseline_library,
    bulk_insert,
    not_installed,
    timer,
)
from crm_marketing import bench_sources, manifest, segments
from crm_marketing.rules import compile_rules

#: Transactions per customer: the issue's 10,000,000 over 1,000,000 customers.
TRANSACTIONS_PER_CUSTOMER = 10
MIN_PURCHASES = 12
MIN_SPEND = 6_000
RULES = {
    "all": [
        {"field": "purchases", "op": "gte", "value": MIN_PURCHASES},
        {"field": "monetary", "op": "gte", "value": MIN_SPEND},
    ]
}
#: The same rule for DuckDB, over the Parquet files, in the shape marketing's compiler
#: gives it: one grouping with both tests in its HAVING.
DUCKDB_QUERY = f"""
SELECT count(*) FROM read_parquet('{{customers}}') c
WHERE c.archived = false
  AND c.id IN (SELECT customer_id FROM read_parquet('{{transactions}}')
               GROUP BY customer_id
               HAVING count(*) >= {MIN_PURCHASES} AND sum(amount) >= {MIN_SPEND})
"""
SEED = 13
START = datetime(2025, 1, 1, tzinfo=UTC)


def transactions(customer_ids: Any, count: int, seed: int = SEED) -> tuple[Any, Any, Any]:
    """``count`` transactions as numpy arrays: customer id, whole-yuan amount, day offset.

    Customers are drawn uniformly, so purchases per customer spread around the mean
    and the rule selects a real minority; the same for a seed.
    """
    import numpy

    rng = numpy.random.default_rng(seed)
    customers = rng.choice(customer_ids, size=count)
    amounts = rng.integers(1, 1_000, size=count, endpoint=True)
    days = rng.integers(0, 365, size=count)
    return customers, amounts, days


def bench_segment_count(size: str, databases: Databases, workdir: Path) -> list[Figure]:
    """Count an RFM segment through marketing's compiler vs DuckDB over Parquet."""
    rows = SIZES[size]
    url = databases.prepared("segments", [manifest.name, *manifest.uses])
    databases.load_customers(url, workdir, rows)
    app = app_for(url, workdir, "segments")
    with app.app_context():
        into = bench_sources.target(get_host(app).session)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        ids = connection.scalars(sa.text("SELECT id FROM customers ORDER BY id")).all()
    engine.dispose()
    import numpy

    customer_ids = numpy.array(ids, dtype=numpy.int64)
    customers, amounts, days = transactions(customer_ids, rows * TRANSACTIONS_PER_CUSTOMER)
    bulk_insert(
        url, into.table, into.columns, bench_sources.rows(into, customers, amounts, days, START)
    )
    if databases.backend == "postgresql":
        _analyze(url)

    with app.app_context():
        session = get_host(app).session
        with timer() as elapsed:
            counted = segments.count(session, compile_rules(session, RULES))
        get_host(app).db.dispose()
    ours = elapsed()
    figure = f"RFM segment count: {rows:,} customers, {len(customers):,} transactions ({counted:,} found)"
    duckdb = baseline_library("duckdb")
    pyarrow = baseline_library("pyarrow")
    parquet = baseline_library("pyarrow.parquet")
    if duckdb is None or pyarrow is None or parquet is None:
        return [
            Figure(
                "marketing.segment_count",
                figure,
                "s",
                ours,
                0.0,
                not_installed("duckdb, pyarrow"),
                higher_is_better=False,
            )
        ]
    customer_file, transaction_file = (
        workdir / "customers.parquet",
        workdir / "transactions.parquet",
    )
    parquet.write_table(
        pyarrow.table({"id": customer_ids, "archived": numpy.zeros(len(customer_ids), dtype=bool)}),
        customer_file,
    )
    parquet.write_table(
        pyarrow.table({"customer_id": customers, "amount": amounts, "day": days}), transaction_file
    )
    connection = duckdb.connect()
    try:
        with timer() as elapsed:
            [(theirs,)] = connection.execute(
                DUCKDB_QUERY.format(customers=customer_file, transactions=transaction_file)
            ).fetchall()
    finally:
        connection.close()
    if theirs != counted:
        raise RuntimeError(f"the segment counted {counted:,} customers, DuckDB {theirs:,}")
    return [
        Figure(
            "marketing.segment_count",
            figure,
            "s",
            ours,
            elapsed(),
            "DuckDB on the same data in Parquet (same count)",
            higher_is_better=False,
        )
    ]


def _analyze(url: sa.URL) -> None:
    """Fresh statistics and visibility map after the bulk load, as autovacuum would give a
    real database (since PostgreSQL 13 it vacuums after inserts too): without the map an
    index-only scan of the transactions would visit the table for every row."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


#: Customers per size for the campaign send: the issue's million at L. The send job
#: renders, signs and records each message, so S stays small enough for CI.
RECIPIENTS = {"S": 2_000, "M": 20_000, "L": 1_000_000}
#: Every tenth customer never consented; every tenth (another) had a message this week.
BODY = "{{ name }}，您好：{{ city }}门店本周新品到货。退订：{{ unsubscribe_url }}"
SUBJECT = "{{ city }}门店新品"


def _consents(ids: list[int]) -> Any:
    now = datetime.now(UTC)
    for i, customer_id in enumerate(ids):
        if i % 10 != 9:
            yield (customer_id, "email", True, "bench", now)


def expected_recipients(count: int) -> int:
    """Recipients among ``count`` customers: consented (not ``i % 10 == 9``) and under the
    cap (not ``i % 10 == 0``, sent to this week)."""
    return sum(1 for i in range(count) if i % 10 not in (0, 9))


def _bench_campaign(session: Any, url: sa.URL, ids: list[int]) -> Any:
    """The campaign to send, to every customer; and an earlier one that reached every
    tenth customer yesterday, so the cap of one message a week leaves them out."""
    from crm_marketing import campaigns
    from crm_marketing.models import Send

    segment = segments.create_segment(
        session, {"name": "bench", "rules": {"field": "kind", "op": "eq", "value": "person"}}
    )
    earlier = campaigns.create_campaign(
        session,
        {
            "name": "earlier",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "earlier",
            "body": "earlier",
        },
    )
    earlier.status = "sent"
    campaign = campaigns.create_campaign(
        session,
        {
            "name": "bench",
            "channel": "email",
            "segment_id": segment.id,
            "subject": SUBJECT,
            "body": BODY,
        },
    )
    session.commit()
    yesterday = datetime.now(UTC) - timedelta(days=1)
    bulk_insert(
        url,
        Send.__table__,
        ("campaign_id", "customer_id", "address", "sent_at"),
        ((earlier.id, c, f"b{i}@example.cn", yesterday) for i, c in enumerate(ids) if i % 10 == 0),
    )
    return campaign


def bench_campaign_send(size: str, databases: Databases, workdir: Path) -> list[Figure]:
    """Messages a second: a campaign rendered to the outbox through the send job, with
    consent and a frequency cap, vs one SELECT, Jinja and one executemany."""
    from crm_host.sdk import Consent, EmailMessage, Runner
    from crm_marketing import campaigns
    from crm_marketing.campaigns import SEND_JOB
    from crm_marketing.models import Campaign, Send

    rows = RECIPIENTS[size]
    url = databases.prepared("campaign", ["marketing"])
    databases.load_customers(url, workdir, rows)
    app = app_for(
        url,
        workdir,
        "campaign",
        MARKETING_CAP_MESSAGES=1,
        MARKETING_CAP_DAYS=7,
        PUBLIC_URL="https://crm.example.cn",
    )
    with app.app_context():
        host = get_host(app)
        session = host.session
        ids = list(session.scalars(sa.text("SELECT id FROM customers ORDER BY id")))
        session.rollback()  # the bulk load writes on a connection of its own
        bulk_insert(
            url,
            Consent.__table__,
            ("customer_id", "channel", "granted", "source", "recorded_at"),
            _consents(ids),
        )
        campaign = _bench_campaign(session, url, ids)
        # The floor first: once the campaign has gone out, the cap leaves nobody to send to.
        bare, floor_count = _bare_send(
            session, campaigns.recipients(session, session.get(Campaign, campaign.id)), EmailMessage
        )
        campaigns.launch(session, session.get(Campaign, campaign.id))
        session.commit()
        outbox_before = session.scalar(sa.select(sa.func.count()).select_from(EmailMessage))
        session.rollback()  # the job's batches write on connections of their own
        with timer() as elapsed:
            Runner(app).run_due(names=[SEND_JOB])
        session.rollback()
        sent = session.scalar(
            sa.select(sa.func.count()).select_from(Send).where(Send.campaign_id == campaign.id)
        )
        queued = (
            session.scalar(sa.select(sa.func.count()).select_from(EmailMessage)) - outbox_before
        )
        if not sent == queued == floor_count == expected_recipients(rows):
            raise RuntimeError(
                f"the campaign sent {sent} and queued {queued}; the floor wrote {floor_count} "
                f"of {expected_recipients(rows)} recipients"
            )
        ours = sent / elapsed()
        host.db.dispose()
    return [
        Figure(
            "marketing.campaign_send",
            f"campaign send: {rows:,} customers, {sent:,} messages to the outbox (consent, cap)",
            "messages/s",
            ours,
            bare,
            "one SELECT of the same recipients, Jinja, one executemany",
        )
    ]


def _bare_send(session: Any, recipients: sa.Select[Any], outbox: Any) -> tuple[float, int]:
    """The floor: the same audience query, the same template, one bulk insert;
    (messages a second, messages)."""
    from jinja2 import Environment

    from crm_host.sdk import Customer

    env = Environment(autoescape=False)
    body, subject = env.from_string(BODY), env.from_string(SUBJECT)
    with timer() as elapsed:
        rows = session.execute(
            sa.select(Customer.id, Customer.name, Customer.city, Customer.email)
            .where(Customer.id.in_(recipients.subquery().select()))
            .order_by(Customer.id)
        ).all()
        messages = [
            {
                "to_address": email,
                "subject": subject.render(city=city),
                "body_text": body.render(
                    name=name, city=city, unsubscribe_url=f"https://crm.example.cn/u/{cid}"
                ),
            }
            for cid, name, city, email in rows
        ]
        if messages:
            session.execute(sa.insert(outbox.__table__), messages)
        session.commit()
    return len(messages) / elapsed(), len(messages)
