"""What the sales panel on a customer's page shows: open deals, the last orders, the
customer's price list and cross-sell recommendations, each as the user may see it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import User, can
from crm_sales import crosssell, customer_prices
from crm_sales.models import Opportunity, OpportunityStatus, Order, PriceList
from crm_sales.permissions import OPPORTUNITIES_READ, ORDERS_READ, PRODUCTS_WRITE


def panel_context(session: Session, user: User, customer_id: int) -> dict[str, Any] | None:
    """The panel template's context; ``None`` when the user may not see opportunities."""
    if not can(session, user, OPPORTUNITIES_READ):
        return None
    open_deals = list(
        session.scalars(
            sa.select(Opportunity)
            .where(
                Opportunity.customer_id == customer_id,
                Opportunity.status == OpportunityStatus.OPEN,
            )
            .order_by(Opportunity.expected_close, Opportunity.id)
            .limit(20)
        )
    )
    last_orders = []
    if can(session, user, ORDERS_READ):
        last_orders = list(
            session.scalars(
                sa.select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(Order.ordered_at.desc(), Order.id.desc())
                .limit(5)
            )
        )
    return {
        "opportunities": open_deals,
        "orders": last_orders,
        "customer_id": customer_id,
        "price_list": customer_prices.list_of(session, customer_id),
        # Choosing the customer's list is offered to those who may change price lists.
        "price_lists": session.scalars(sa.select(PriceList).order_by(PriceList.code)).all()
        if can(session, user, PRODUCTS_WRITE)
        else None,
        "recommendations": crosssell.recommendations_for(session, customer_id)
        if last_orders
        else [],
    }
