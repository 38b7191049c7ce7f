"""RFM: recency, frequency and monetary quintiles computed in SQL over the host's
transaction union and stored in ``marketing_rfm``.

Scores run 1–5, 5 best (most recent, most frequent, most spent). A score is the
customer's percentile rank among buyers cut into five equal bands:
``min(5, 1 + (rank - 1) * 5 // (buyers - 1))`` — the lowest figure scores 1, the
highest 5 however few buyers there are, and ``RANK()`` makes equal figures share a
score. Integer arithmetic, because PostgreSQL rounds where SQLite truncates when a
float becomes an integer. A lone buyer has nobody to beat and scores 1. Only
transactions in one currency count: yuan and euros are never added.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host import audit
from crm_host.analytics import transactions
from crm_host.db import utcnow
from crm_marketing.models import RfmScore

DEFAULT_CURRENCY = "CNY"
BANDS = 5
JOB = "marketing.refresh_rfm"


def _band(order_by: sa.ColumnElement[Any], buyers: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    rank = sa.func.rank().over(order_by=order_by)
    # The bare ``/`` of two integers divides whole numbers on SQLite and PostgreSQL alike
    # (SQLAlchemy's ``//`` would call FLOOR, which SQLite may lack).
    divide = sa.sql.operators.custom_op("/", return_type=sa.Integer)
    steps = ((rank - 1) * BANDS).operate(divide, sa.func.nullif(buyers - 1, 0))
    band = 1 + sa.func.coalesce(steps, 0)
    return sa.cast(sa.case((band > BANDS, BANDS), else_=band), sa.Integer)


def scores_query(session: Session, currency: str = DEFAULT_CURRENCY) -> sa.Select[Any]:
    """One SELECT giving each buyer's figures and scores, ready to insert."""
    tx = transactions(session)
    per_customer = (
        sa.select(
            tx.c.customer_id,
            sa.func.max(tx.c.occurred_at).label("last_purchase_at"),
            sa.func.count().label("frequency"),
            sa.func.sum(tx.c.amount).label("monetary"),
        )
        .where(tx.c.customer_id.is_not(None), tx.c.currency == currency)
        .group_by(tx.c.customer_id)
        .subquery("per_customer")
    )
    buyers = sa.func.count().over()
    return sa.select(
        per_customer.c.customer_id,
        per_customer.c.last_purchase_at,
        per_customer.c.frequency,
        per_customer.c.monetary,
        sa.literal(currency, sa.String(3)).label("currency"),
        _band(per_customer.c.last_purchase_at, buyers).label("r_score"),
        _band(per_customer.c.frequency, buyers).label("f_score"),
        _band(per_customer.c.monetary, buyers).label("m_score"),
        sa.literal(utcnow(), RfmScore.__table__.c.computed_at.type).label("computed_at"),
    )


def refresh(session: Session, currency: str = DEFAULT_CURRENCY) -> int:
    """Rebuild every score from the transactions, in the caller's transaction; returns buyers.

    Delete and ``INSERT … SELECT`` in one transaction: readers see the old scores or
    the new ones, never a mix; nothing passes through Python row by row.
    """
    table = RfmScore.__table__
    session.execute(sa.delete(RfmScore))
    query = scores_query(session, currency)
    session.execute(table.insert().from_select([c.key for c in query.selected_columns], query))
    buyers = session.scalar(sa.select(sa.func.count()).select_from(RfmScore)) or 0
    audit.record(
        session,
        "refresh",
        "marketing.rfm",
        None,
        after={"currency": currency, "buyers": buyers},
        plugin="marketing",
        row_count=buyers,
    )
    return buyers


def refresh_job(job: Any) -> None:
    """The ``marketing.refresh_rfm`` job: rebuild the scores in the job's transaction."""
    refresh(job.session, job.args.get("currency") or DEFAULT_CURRENCY)


def of_customer(session: Session, customer_id: int) -> RfmScore | None:
    """The customer's stored scores, or ``None`` when they never bought."""
    return session.get(RfmScore, customer_id)


def grid(session: Session) -> dict[tuple[int, int], int]:
    """How many customers sit in each (recency, frequency) cell: the RFM grid."""
    rows = session.execute(
        sa.select(RfmScore.r_score, RfmScore.f_score, sa.func.count()).group_by(
            RfmScore.r_score, RfmScore.f_score
        )
    )
    return {(r, f): n for r, f, n in rows}


def monetary_bands(session: Session) -> Counter[int]:
    """How many customers have each monetary score."""
    rows = session.execute(sa.select(RfmScore.m_score, sa.func.count()).group_by(RfmScore.m_score))
    return Counter({m: n for m, n in rows})


def last_refreshed(session: Session) -> Any:
    """When the scores were computed (``None`` before the first refresh)."""
    return session.scalar(sa.select(sa.func.max(RfmScore.computed_at)))
