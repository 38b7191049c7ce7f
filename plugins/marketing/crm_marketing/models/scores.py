"""Derived figures of customers: RFM scores, lifetime-value models and customer values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow
from crm_marketing.models.common import MONEY


class RfmScore(Base):
    """A customer's recency, frequency and monetary figures and their quintile scores (1–5).

    Rebuilt as a whole by :func:`crm_marketing.rfm.refresh` from the host's transaction
    union; customers without a transaction have no row.
    """

    __tablename__ = "marketing_rfm"

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    last_purchase_at: Mapped[datetime]
    frequency: Mapped[int]
    monetary: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3))
    r_score: Mapped[int]
    f_score: Mapped[int]
    m_score: Mapped[int]
    #: Tier of the customer pyramid by spend: top, big, medium or small (``None`` only
    #: on rows from before the tiers existed, until the next refresh).
    pyramid: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    #: Quadrant of the loyalty–value matrix: true_friend, barnacle, butterfly, stranger.
    loyalty_value: Mapped[str | None] = mapped_column(sa.String(12), index=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def code(self) -> str:
        """The three scores as one code, ``"545"``."""
        return f"{self.r_score}{self.f_score}{self.m_score}"


class ValueModel(Base):
    """One fit of the lifetime-value models over every buyer in one currency.

    BG/NBD (``r``, ``alpha``, ``a``, ``b``) on purchase periods measured in weeks, and
    Gamma-Gamma (``p``, ``q``, ``v``) on the repeat buyers' mean spend — ``None`` when
    too few customers bought twice. Each refresh adds a row; the newest is current.
    """

    __tablename__ = "marketing_value_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    horizon_days: Mapped[int]
    customers: Mapped[int]
    repeat_buyers: Mapped[int]
    r: Mapped[float]
    alpha: Mapped[float]
    a: Mapped[float]
    b: Mapped[float]
    bgnbd_log_likelihood: Mapped[float]
    p: Mapped[float | None]
    q: Mapped[float | None]
    v: Mapped[float | None]
    gamma_gamma_log_likelihood: Mapped[float | None]
    #: The annual rate the expected values were discounted at (a fraction).
    discount_rate: Mapped[float | None]
    #: BG/NBD against Pareto/NBD on the same history: see ``value_models.compare``.
    comparison: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerValue(Base):
    """A customer's purchase summary and what the newest value model predicts for them.

    ``frequency`` counts repeat purchase days (days with a purchase after the first);
    ``recency_weeks`` runs from the first to the last purchase and ``age_weeks`` from
    the first purchase to the refresh. Rebuilt as a whole by
    :func:`crm_marketing.lifetime_value.refresh`; customers who never bought have no row.
    """

    __tablename__ = "marketing_customer_values"

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(sa.String(3))
    frequency: Mapped[int]
    recency_weeks: Mapped[float]
    age_weeks: Mapped[float]
    #: Mean spend of the repeat purchase days (``None`` without a repeat purchase).
    average_spend: Mapped[Decimal | None] = mapped_column(MONEY)
    p_alive: Mapped[float]
    expected_purchases: Mapped[float]
    #: Expected spend over the horizon (``None`` when the spend model could not be fitted).
    expected_value: Mapped[Decimal | None] = mapped_column(MONEY)
    churn_risk: Mapped[str] = mapped_column(sa.String(8), index=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
