"""The host's own object types: customers, their contacts and addresses.

Every department sees customers (reading needs only ``host.customers.read``);
changing one follows the customer's record rule — its owner and its responsible
departments — exactly as ``PATCH /api/v1/customers/<id>`` does. A contact or an
address is changed under its customer's rule.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.models import Address, Contact, Customer, User, customer_departments
from crm_host.core.objects.registry import ObjectRegistry, where_rule
from crm_host.core.sensitive import REVEAL_PERMISSION
from crm_host.domain.customers.search import search_condition
from crm_host.security.permissions import can, record_filter

READ = "host.customers.read"
WRITE = "host.customers.write"


def customer_condition(session: Session, user: User, permission: str) -> sa.ColumnElement[bool]:
    """The customers ``user`` reaches under ``permission``: all for reading, else the rule."""
    if permission == READ:
        return sa.true()
    return record_filter(
        session,
        user,
        permission,
        owner_column=Customer.owner_id,
        department_ids_of=lambda ids: Customer.id.in_(
            sa.select(customer_departments.c.customer_id).where(
                customer_departments.c.department_id.in_(ids)
            )
        ),
    )


def _of_customer(model: Any) -> Any:
    def condition(session: Session, user: User, permission: str) -> sa.ColumnElement[bool]:
        return model.customer_id.in_(
            sa.select(Customer.id).where(customer_condition(session, user, permission))
        )

    return condition


def _customers_of(model: Any) -> Any:
    def customers(session: Session, ids: list[Any]) -> dict[Any, list[int]]:
        rows = session.execute(sa.select(model.id, model.customer_id).where(model.id.in_(ids)))
        return {row_id: [customer_id] for row_id, customer_id in rows}

    return customers


def match_customers(
    session: Session, user: User | None, q: str, dialect: str
) -> sa.ColumnElement[bool]:
    """The customer search box's own clause (codes, emails, name grams — Chinese
    two-character names included); whole phone and ID numbers only for who may reveal
    them, so a search is no oracle for a number the results would mask."""
    reveal = user is None or can(session, user, REVEAL_PERMISSION)
    return search_condition(q, dialect, exact_numbers=reveal)


def register_host_types(registry: ObjectRegistry) -> None:
    """Register ``customer``, ``contact`` and ``address``."""
    registry.add(
        "customer",
        Customer,
        read=READ,
        write=WRITE,
        rule=where_rule(Customer, customer_condition),
        label="Customer",
        customers=lambda session, ids: {i: [i] for i in ids},
        title=Customer.name,
        console_url="/customers/{id}",
        api_url="/api/v1/customers/{id}",
        searchable=(Customer.search_name, Customer.code, Customer.email),
        match=match_customers,
    )
    registry.add(
        "contact",
        Contact,
        read=READ,
        write=WRITE,
        rule=where_rule(Contact, _of_customer(Contact)),
        label="Contact",
        customers=_customers_of(Contact),
        title=Contact.name,
        console_url="/customers/{customer_id}",
        api_url="/api/v1/customers/{customer_id}/contacts/{id}",
        searchable=(Contact.name,),
    )
    registry.add(
        "address",
        Address,
        read=READ,
        write=WRITE,
        rule=where_rule(Address, _of_customer(Address)),
        label="Address",
        customers=_customers_of(Address),
        console_url="/customers/{customer_id}",
        api_url="/api/v1/customers/{customer_id}/addresses/{id}",
    )
