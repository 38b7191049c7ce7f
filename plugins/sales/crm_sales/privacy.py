"""What the sales plugin does when customers are merged, erased or exported.

Leads, opportunities, quotes and orders point at customers: a merge moves them to the
survivor; an erasure pseudonymises the personal fields of the leads that became
the customer and keeps amounts and dates (accounting needs them); an export lists
everything sales holds about the customer.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import AuditLog, audit, bump_version, jsonable
from crm_host.sdk.customers import scrub_json_column
from crm_sales import customer_prices
from crm_sales.models import Activity, Lead, Opportunity, Order, OrderLine, Quote, QuoteLine

#: Tables with a ``customer_id`` pointing at customers.
HOLDERS = (Lead, Opportunity, Quote, Order, Activity)
ERASED = "[erased]"


def move_references(session: Session, survivor_id: int, merged_id: int) -> None:
    """Point every sales row of ``merged_id`` at ``survivor_id``; the survivor keeps its
    own price list, or takes the merged customer's when it had none."""
    for model in HOLDERS:
        session.execute(
            sa.update(model)
            .where(model.customer_id == merged_id)
            .values(customer_id=survivor_id, **bump_version(model))
        )
    customer_prices.move_on_merge(session, survivor_id, merged_id)


def erase(session: Session, customer_id: int) -> None:
    """Pseudonymise what sales holds about a person; idempotent.

    The customer's leads lose name, company and contact details; its opportunities
    lose their names (conversion names them after the person) and free-text reasons;
    amounts and dates stay. The lead's values are scrubbed out of the audit log too,
    since a lead's email need not be the customer's.
    """
    secrets: set[str] = set()
    for row in session.execute(
        sa.select(Lead.name, Lead.company, Lead.email, Lead.phone).where(
            Lead.customer_id == customer_id
        )
    ):
        secrets |= {v for v in row if v and v != ERASED and len(v) >= 2}
    session.execute(
        sa.update(Lead)
        .where(Lead.customer_id == customer_id)
        .values(
            name=ERASED,
            company=None,
            email=None,
            phone=None,
            disqualified_reason=None,
            **bump_version(Lead),
        )
    )
    session.execute(
        sa.update(Opportunity)
        .where(Opportunity.customer_id == customer_id)
        .values(name=ERASED, lost_reason=None, **bump_version(Opportunity))
    )
    session.execute(
        sa.update(Activity)
        .where(Activity.customer_id == customer_id)
        .values(subject=ERASED, notes=None)
    )
    if secrets:
        table = AuditLog.__table__
        with audit.scrubbing(session):
            for column in (table.c.before, table.c.after):
                scrub_json_column(session, column, table.c.id, secrets)


def _rows(session: Session, model: Any, customer_id: int) -> list[dict[str, Any]]:
    columns = model.__table__.columns
    return [
        {c.key: jsonable(getattr(row, c.key)) for c in columns}
        for row in session.scalars(
            sa.select(model).where(model.customer_id == customer_id).order_by(model.id)
        )
    ]


def export(session: Session, customer_id: int) -> dict[str, Any] | None:
    """Leads, opportunities, quotes, orders and their lines, activities and the own price
    list of the customer; ``None`` if none."""
    data = {
        "leads": _rows(session, Lead, customer_id),
        "opportunities": _rows(session, Opportunity, customer_id),
        "orders": _rows(session, Order, customer_id),
        "activities": _rows(session, Activity, customer_id),
    }
    data["quotes"] = _rows(session, Quote, customer_id)
    data["order_lines"] = _lines(session, OrderLine, OrderLine.order_id, data["orders"])
    data["quote_lines"] = _lines(session, QuoteLine, QuoteLine.quote_id, data["quotes"])
    own = customer_prices.list_of(session, customer_id)
    data["price_list"] = [{"code": own.code, "name": own.name}] if own else []
    return data if any(data.values()) else None


def _lines(
    session: Session, model: Any, parent: sa.ColumnElement[int], parents: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    ids = [row["id"] for row in parents]
    if not ids:
        return []
    return [
        {c.key: jsonable(getattr(line, c.key)) for c in model.__table__.columns}
        for line in session.scalars(sa.select(model).where(parent.in_(ids)).order_by(model.id))
    ]
