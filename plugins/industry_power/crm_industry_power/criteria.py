"""Segment criteria over the power pack's tables, offered through ``crm_segment_criteria``.

Each builds a condition on ``customers`` as a correlated ``EXISTS`` (or ``IN``) over
the customer's accounts, service levels or bills, so a segment stays one query. A
customer matches an account criterion when any of their accounts does; "not" forms
(``ne``, ``not_in``, ``is_not_set``) mean no account does, so a customer without a
power account counts as "not large industry".
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from crm_host.sdk import Customer
from crm_host.sdk.customers import Criterion, compare
from crm_industry_power.models import (
    CATEGORIES,
    SERVICE_LEVELS,
    VOLTAGE_LEVELS,
    Account,
    Bill,
    ServiceClass,
)

#: The positive operator a "not" operator negates.
_NEGATED = {"ne": "eq", "not_in": "in", "is_not_set": "is_set"}


def _accounts_where(condition_of: Any) -> Any:
    """A text criterion's ``build`` over one column reached through the customer's accounts."""

    def build(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
        positive = _NEGATED.get(op, op)
        column, joined = condition_of()
        query = sa.select(sa.literal(1)).select_from(Account)
        if joined is not None:
            query = query.join(*joined)
        exists = sa.exists(
            query.where(Account.customer_id == Customer.id, compare(column, positive, value))
        )
        return ~exists if op in _NEGATED else exists

    return build


def _capacity(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    return sa.exists(
        sa.select(sa.literal(1))
        .select_from(Account)
        .where(Account.customer_id == Customer.id, compare(Account.contracted_kva, op, value))
    )


def _monthly_kwh(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    # The energy of the customer's latest billed month, over all their accounts.
    inner = sa.orm.aliased(Bill)
    latest = (
        sa.select(sa.func.max(inner.month))
        .where(inner.customer_id == Bill.customer_id)
        .scalar_subquery()
    )
    energy = sa.func.sum(Bill.peak_kwh + Bill.flat_kwh + Bill.valley_kwh)
    return Customer.id.in_(
        sa.select(Bill.customer_id)
        .where(Bill.month == latest)
        .group_by(Bill.customer_id)
        .having(compare(energy, op, value))
    )


def criteria() -> list[Criterion]:
    """Category, voltage level, contracted capacity, service level and monthly energy."""
    return [
        Criterion(
            "power_category",
            _l("Power customer category"),
            "text",
            _accounts_where(lambda: (Account.category, None)),
            tuple(CATEGORIES),
        ),
        Criterion(
            "power_voltage_level",
            _l("Supply voltage level"),
            "text",
            _accounts_where(lambda: (Account.voltage_level, None)),
            VOLTAGE_LEVELS,
        ),
        Criterion("power_contracted_kva", _l("Contracted capacity (kVA)"), "number", _capacity),
        Criterion(
            "power_service_level",
            _l("Service level"),
            "text",
            _accounts_where(
                lambda: (
                    ServiceClass.level,
                    (ServiceClass, ServiceClass.account_id == Account.id),
                )
            ),
            SERVICE_LEVELS,
        ),
        Criterion(
            "power_monthly_kwh",
            _l("Energy of the latest billed month (kWh)"),
            "number",
            _monthly_kwh,
        ),
    ]
