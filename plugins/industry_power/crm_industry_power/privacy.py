"""What the power pack does when customers are merged, erased or exported.

Accounts, bills and faults point at customers: a merge moves them to the survivor.
An erasure blanks what a person typed or gave (fault descriptions, contact phones)
and keeps accounts, readings and bills, which the utility must keep for metering
and billing law. An export lists everything the pack holds about the customer.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import bump_version, jsonable
from crm_industry_power.models import (
    Account,
    Bill,
    Equipment,
    Fault,
    Guarantee,
    InspectionPlan,
    InspectionRecord,
    Meter,
    ServiceClass,
)

ERASED = "[erased]"
HOLDERS = (Account, Bill, Fault, Guarantee)


def move_references(session: Session, survivor_id: int, merged_id: int) -> None:
    """Point every power row of ``merged_id`` at ``survivor_id``."""
    for model in HOLDERS:
        session.execute(
            sa.update(model)
            .where(model.customer_id == merged_id)
            .values(customer_id=survivor_id, **bump_version(model))
        )


def erase(session: Session, customer_id: int) -> None:
    """Blank the free text and phone numbers of the customer's fault reports; idempotent."""
    session.execute(
        sa.update(Fault)
        .where(Fault.customer_id == customer_id)
        .values(description=ERASED, contact_phone=None)
    )


def _rows(session: Session, query: sa.Select[Any], model: Any) -> list[dict[str, Any]]:
    columns = model.__table__.columns
    return [
        {c.key: jsonable(getattr(row, c.key)) for c in columns} for row in session.scalars(query)
    ]


def export(session: Session, customer_id: int) -> dict[str, Any] | None:
    """Accounts, meters, equipment, bills and faults of the customer; ``None`` if none."""
    accounts = sa.select(Account.id).where(Account.customer_id == customer_id)
    data = {
        "accounts": _rows(
            session,
            sa.select(Account).where(Account.customer_id == customer_id).order_by(Account.id),
            Account,
        ),
        "meters": _rows(
            session,
            sa.select(Meter).where(Meter.account_id.in_(accounts)).order_by(Meter.id),
            Meter,
        ),
        "equipment": _rows(
            session,
            sa.select(Equipment).where(Equipment.account_id.in_(accounts)).order_by(Equipment.id),
            Equipment,
        ),
        "inspection_plans": _rows(
            session,
            sa.select(InspectionPlan)
            .where(InspectionPlan.account_id.in_(accounts))
            .order_by(InspectionPlan.id),
            InspectionPlan,
        ),
        "inspection_records": _rows(
            session,
            sa.select(InspectionRecord)
            .join(InspectionPlan, InspectionPlan.id == InspectionRecord.plan_id)
            .where(InspectionPlan.account_id.in_(accounts))
            .order_by(InspectionRecord.id),
            InspectionRecord,
        ),
        "service_levels": _rows(
            session,
            sa.select(ServiceClass)
            .where(ServiceClass.account_id.in_(accounts))
            .order_by(ServiceClass.account_id),
            ServiceClass,
        ),
        "bills": _rows(
            session, sa.select(Bill).where(Bill.customer_id == customer_id).order_by(Bill.id), Bill
        ),
        "guarantees": _rows(
            session,
            sa.select(Guarantee).where(Guarantee.customer_id == customer_id).order_by(Guarantee.id),
            Guarantee,
        ),
        "faults": _rows(
            session,
            sa.select(Fault).where(Fault.customer_id == customer_id).order_by(Fault.id),
            Fault,
        ),
    }
    return data if any(data.values()) else None
