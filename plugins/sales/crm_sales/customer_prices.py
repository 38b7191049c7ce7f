"""Which price list a customer's quotes are priced from.

A customer may have a list of their own — negotiated prices of a distributor or a key
account. A quote that names no list is priced from it while it is valid, and from the
default list otherwise (see :func:`crm_sales.pricing.choose`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, User, ValidationFailed, audit
from crm_sales.models import CustomerPriceList, PriceList

PLUGIN = "sales"


def list_of(session: Session, customer_id: int) -> PriceList | None:
    """The customer's own price list, or ``None``."""
    return session.scalar(
        sa.select(PriceList)
        .join(CustomerPriceList, CustomerPriceList.price_list_id == PriceList.id)
        .where(CustomerPriceList.customer_id == customer_id)
    )


def assign(
    session: Session, customer: Customer, price_list_id: Any, *, actor: User | None = None
) -> PriceList | None:
    """Give ``customer`` the list ``price_list_id``, or take theirs away with ``None``;
    audited on the customer. Returns the list now theirs."""
    before = list_of(session, customer.id)
    price_list = None
    if price_list_id is not None:
        if isinstance(price_list_id, bool) or not isinstance(price_list_id, int):
            raise ValidationFailed(
                "the price list is not valid", details={"price_list_id": ["A price list id."]}
            )
        price_list = session.get(PriceList, price_list_id)
        if price_list is None:
            raise ValidationFailed(
                "the price list is not valid",
                details={"price_list_id": [f"No price list with id {price_list_id}."]},
            )
    row = session.get(CustomerPriceList, customer.id)
    if price_list is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(CustomerPriceList(customer_id=customer.id, price_list_id=price_list.id))
    else:
        row.price_list_id = price_list.id
    session.flush()
    if (before.id if before else None) != (price_list.id if price_list else None):
        audit.record(
            session,
            "price_list",
            "customer",
            customer.id,
            before={"price_list": before.code if before else None},
            after={"price_list": price_list.code if price_list else None},
            actor=actor,
            plugin=PLUGIN,
        )
    return price_list


def move_on_merge(session: Session, survivor_id: int, merged_id: int) -> None:
    """The survivor keeps its own list; without one it takes the merged customer's."""
    merged = session.get(CustomerPriceList, merged_id)
    if merged is None:
        return
    if session.get(CustomerPriceList, survivor_id) is None:
        session.add(CustomerPriceList(customer_id=survivor_id, price_list_id=merged.price_list_id))
    session.delete(merged)
    session.flush()
