"""Pipeline figures: open value and weighted value by stage, and a forecast by month.

Weighted value is amount × the stage's probability. Sums are taken per currency:
adding yuan to euros would be a number nobody can use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk.validation import CENT
from crm_sales.models import Opportunity, OpportunityStatus, Stage


@dataclass
class StageFigures:
    """One stage of the board: how many open deals, their value and weighted value."""

    code: str
    name: str
    probability: int
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)


def _weigh(amount: Decimal, probability: int) -> Decimal:
    return (amount * probability / 100).quantize(CENT)


def pipeline_summary(
    session: Session, where: sa.ColumnElement[bool] | None = None
) -> list[StageFigures]:
    """Every stage in board order with its open deals' count and value per currency.

    ``where`` narrows the opportunities (record rules, an owner).
    """
    figures = {
        s.id: StageFigures(s.code, s.name, s.probability)
        for s in session.scalars(sa.select(Stage).order_by(Stage.position, Stage.id))
    }
    query = (
        sa.select(
            Opportunity.stage_id,
            Opportunity.currency,
            sa.func.count(),
            sa.func.sum(Opportunity.amount),
        )
        .where(Opportunity.status == OpportunityStatus.OPEN)
        .group_by(Opportunity.stage_id, Opportunity.currency)
    )
    if where is not None:
        query = query.where(where)
    for stage_id, currency, count, total in session.execute(query):
        stage = figures[stage_id]
        total = Decimal(str(total or 0)).quantize(CENT)
        stage.count += count
        stage.amounts[currency] = total
        stage.weighted[currency] = _weigh(total, stage.probability)
    return list(figures.values())


def open_value(session: Session, where: sa.ColumnElement[bool] | None = None) -> dict[str, Decimal]:
    """The value of every open deal, per currency."""
    totals: dict[str, Decimal] = {}
    for stage in pipeline_summary(session, where):
        for currency, amount in stage.amounts.items():
            totals[currency] = totals.get(currency, Decimal("0")) + amount
    return totals


def forecast(session: Session, where: sa.ColumnElement[bool] | None = None) -> list[dict[str, Any]]:
    """Weighted value of open deals by expected close month (``YYYY-MM``, ``None`` when
    unknown) and currency, months in order."""
    query = (
        sa.select(
            Opportunity.expected_close, Opportunity.currency, Opportunity.amount, Stage.probability
        )
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(Opportunity.status == OpportunityStatus.OPEN)
    )
    if where is not None:
        query = query.where(where)
    rows: dict[tuple[str | None, str], dict[str, Any]] = {}
    for expected, currency, amount, probability in session.execute(query):
        month = expected.strftime("%Y-%m") if expected else None
        row = rows.setdefault(
            (month, currency),
            {
                "month": month,
                "currency": currency,
                "count": 0,
                "amount": Decimal("0"),
                "weighted": Decimal("0"),
            },
        )
        row["count"] += 1
        row["amount"] += Decimal(amount)
        row["weighted"] += _weigh(Decimal(amount), probability)
    return [rows[key] for key in sorted(rows, key=lambda k: (k[0] is None, k[0] or "", k[1]))]
