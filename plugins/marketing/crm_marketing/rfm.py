"""RFM: recency, frequency and monetary quintiles computed in SQL over the host's
transaction union and stored in ``marketing_rfm``.

Scores run 1–5, 5 best (most recent, most frequent, most spent). A score is the
customer's percentile rank among buyers cut into five equal bands:
``min(5, 1 + (rank - 1) * 5 // (buyers - 1))`` — the lowest figure scores 1, the
highest 5 however few buyers there are, and ``RANK()`` makes equal figures share a
score. Integer arithmetic, because PostgreSQL rounds where SQLite truncates when a
float becomes an integer. A lone buyer has nobody to beat and scores 1. Only
transactions in one currency count: yuan and euros are never added.

The same refresh places each buyer in the **customer pyramid** — ranked by spend,
the top 1 % ``top``, the next 4 % ``big``, the next 15 % ``medium``, the rest
``small`` (``MARKETING_PYRAMID_SHARES``; a tier holds the whole number of buyers its
share comes to, rounded down) — and in the **loyalty–value matrix**: loyal with a
frequency score, valuable with a monetary score of at least
``MARKETING_LOYALTY_VALUE_SCORE`` (4): ``true_friend`` (both), ``barnacle`` (loyal
only), ``butterfly`` (valuable only), ``stranger`` (neither).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from crm_host.sdk import audit, utcnow
from crm_host.sdk.customers import transactions
from crm_marketing.models import RfmScore

DEFAULT_CURRENCY = "CNY"
BANDS = 5
JOB = "marketing.refresh_rfm"
PYRAMID = ("top", "big", "medium", "small")
#: Percent of buyers in each tier above ``small``, best first.
DEFAULT_PYRAMID_SHARES = (1.0, 4.0, 15.0)
QUADRANTS = ("true_friend", "barnacle", "butterfly", "stranger")
DEFAULT_HIGH_SCORE = 4


def pyramid_shares() -> tuple[float, ...]:
    """The tiers' percents from ``MARKETING_PYRAMID_SHARES`` (three, summing to under 100)."""
    configured = current_app.config.get("MARKETING_PYRAMID_SHARES") if has_app_context() else None
    shares = tuple(float(s) for s in (configured or DEFAULT_PYRAMID_SHARES))
    if len(shares) != 3 or any(s < 0 for s in shares) or sum(shares) >= 100:
        raise ValueError(
            "MARKETING_PYRAMID_SHARES needs three percents (top, big, medium) summing to under 100"
        )
    return shares


def high_score() -> int:
    """The score from which frequency counts as loyal and spend as valuable (1–5)."""
    configured = (
        current_app.config.get("MARKETING_LOYALTY_VALUE_SCORE") if has_app_context() else None
    )
    score = int(configured or DEFAULT_HIGH_SCORE)
    if not 1 <= score <= BANDS:
        raise ValueError("MARKETING_LOYALTY_VALUE_SCORE must be a score from 1 to 5")
    return score


def tier_sizes(buyers: int, shares: tuple[float, ...]) -> list[int]:
    """How many buyers the top, big and medium tiers end at (cumulative, rounded down)."""
    ends, total = [], 0.0
    for share in shares:
        total += share
        ends.append(int(buyers * total // 100))
    return ends


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
    # Counted first, so the tiers' ends are plain numbers in the one INSERT … SELECT.
    total = session.scalar(sa.select(sa.func.count()).select_from(per_customer)) or 0
    top, big, medium = tier_sizes(total, pyramid_shares())
    place = sa.func.row_number().over(
        order_by=(per_customer.c.monetary.desc(), per_customer.c.customer_id)
    )
    tier = sa.case(
        (place <= top, "top"),
        (place <= big, "big"),
        (place <= medium, "medium"),
        else_="small",
    )
    return sa.select(
        per_customer.c.customer_id,
        per_customer.c.last_purchase_at,
        per_customer.c.frequency,
        per_customer.c.monetary,
        sa.literal(currency, sa.String(3)).label("currency"),
        _band(per_customer.c.last_purchase_at, buyers).label("r_score"),
        _band(per_customer.c.frequency, buyers).label("f_score"),
        _band(per_customer.c.monetary, buyers).label("m_score"),
        tier.label("pyramid"),
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
    # The quadrant reads the stored scores: one UPDATE instead of repeating the windows.
    high = high_score()
    loyal, valuable = RfmScore.f_score >= high, RfmScore.m_score >= high
    session.execute(
        sa.update(RfmScore).values(
            loyalty_value=sa.case(
                (sa.and_(loyal, valuable), "true_friend"),
                (loyal, "barnacle"),
                (valuable, "butterfly"),
                else_="stranger",
            )
        )
    )
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


def pyramid(session: Session) -> list[dict[str, Any]]:
    """Each pyramid tier, best first: its customers and their spend (zeros included)."""
    rows = session.execute(
        sa.select(RfmScore.pyramid, sa.func.count(), sa.func.sum(RfmScore.monetary)).group_by(
            RfmScore.pyramid
        )
    )
    found = {tier: (count, spend) for tier, count, spend in rows}
    return [
        {
            "tier": tier,
            "customers": int(found.get(tier, (0, None))[0]),
            "monetary": found.get(tier, (0, None))[1] or 0,
        }
        for tier in PYRAMID
    ]


def loyalty_value(session: Session) -> dict[str, int]:
    """How many customers sit in each quadrant of the loyalty–value matrix."""
    rows = session.execute(
        sa.select(RfmScore.loyalty_value, sa.func.count()).group_by(RfmScore.loyalty_value)
    )
    found = dict(rows.all())
    return {quadrant: int(found.get(quadrant, 0)) for quadrant in QUADRANTS}
