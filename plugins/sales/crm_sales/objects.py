"""The sales objects the host's shared services address.

Leads and opportunities follow their owner rule (:mod:`crm_sales.records`, the one
their API and pages apply); quotes, orders and activities are reached by holding
their permission, as their routes are.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ObjectRegistry, User, where_rule
from crm_sales import permissions as p
from crm_sales import records
from crm_sales.models import Activity, Lead, Opportunity, Order, Quote


def _owner_rule(model: type[Lead] | type[Opportunity]) -> Any:
    def condition(session: Session, user: User, permission: str) -> sa.ColumnElement[bool]:
        return records.visible(session, user, model, permission)

    return where_rule(model, condition)


def _customers(model: Any) -> Any:
    def customers(session: Session, ids: list[Any]) -> dict[Any, list[int]]:
        rows = session.execute(sa.select(model.id, model.customer_id).where(model.id.in_(ids)))
        return {row_id: [customer] for row_id, customer in rows if customer is not None}

    return customers


def register(registry: ObjectRegistry) -> None:
    """Register ``sales.lead``, ``sales.opportunity``, ``sales.quote``, ``sales.order``
    and ``sales.activity``."""
    registry.add(
        "lead",
        Lead,
        read=p.LEADS_READ,
        write=p.LEADS_WRITE,
        rule=_owner_rule(Lead),
        label="Lead",
        customers=_customers(Lead),
        title=Lead.name,
        console_url="/sales/leads",
        api_url="/api/v1/sales/leads/{id}",
        searchable=(Lead.name, Lead.company),
    )
    registry.add(
        "opportunity",
        Opportunity,
        read=p.OPPORTUNITIES_READ,
        write=p.OPPORTUNITIES_WRITE,
        rule=_owner_rule(Opportunity),
        label="Opportunity",
        customers=_customers(Opportunity),
        title=Opportunity.name,
        console_url="/sales/",
        api_url="/api/v1/sales/opportunities/{id}",
        searchable=(Opportunity.name,),
    )
    registry.add(
        "quote",
        Quote,
        read=p.QUOTES_READ,
        write=p.QUOTES_WRITE,
        label="Quote",
        customers=_customers(Quote),
        title=Quote.number,
        console_url="/sales/quotes/{id}",
        api_url="/api/v1/sales/quotes/{id}",
        searchable=(Quote.number,),
    )
    registry.add(
        "order",
        Order,
        read=p.ORDERS_READ,
        write=p.ORDERS_WRITE,
        label="Order",
        customers=_customers(Order),
        title=Order.number,
        api_url="/api/v1/sales/orders/{id}",
    )
    registry.add(
        "activity",
        Activity,
        read=p.ACTIVITIES_READ,
        write=p.ACTIVITIES_WRITE,
        label="Activity",
        customers=_customers(Activity),
        title=Activity.subject,
    )
