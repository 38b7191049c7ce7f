"""Who is calling: customers by phone number, through their own number or a contact's.

Matching a whole number tells who owns it, so every lookup is audited (who asked,
the number masked, which customers matched). The numbers in the answer are masked
for users without ``host.customers.reveal`` by the schema's masked field.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Contact,
    Customer,
    User,
    ValidationFailed,
    audit,
    blind_phones,
    mask,
    normalize_phone,
)
from crm_host.sdk.customers import PHONE_NOISE
from crm_service.models import Ticket
from crm_service.workflow import OPEN_STATUSES

#: A telephony system gets at most this many candidates for one number.
LIMIT = 20


def by_phone(session: Session, phone: str, *, actor: User | None = None) -> list[dict[str, Any]]:
    """Customers whose number, or one of whose contacts' numbers, is ``phone``.

    The number is compared through the host's blind index, in whatever form it was
    typed (spaces, dashes, brackets, a +86 prefix). Each match carries its open ticket
    count, so the agent sees at once whether the caller is chasing something. The
    lookup is audited in the session (the caller commits).
    """
    number = phone.strip().translate(PHONE_NOISE)
    if not number or not all(c.isdigit() for c in number.removeprefix("+")):
        raise ValidationFailed(
            "not a phone number", details={"phone": ["Digits, optionally starting with +."]}
        )
    # Phones may be encrypted at rest: the host keeps a blind index of each number,
    # normalised (separators and a +86 prefix dropped) for customers and contacts alike.
    # Under every configured key: rows not yet rotated carry the older key's index.
    blinds = blind_phones(number)
    matches: dict[int, dict[str, Any]] = {}
    direct = session.scalars(
        sa.select(Customer)
        .where(Customer.phone_blind.in_(blinds), Customer.archived_at.is_(None))
        .order_by(Customer.id)
        .limit(LIMIT)
    )
    for customer in direct:
        matches[customer.id] = _row(customer, "customer", None)
    via_contacts = session.execute(
        sa.select(Customer, Contact.id)
        .join(Contact, Contact.customer_id == Customer.id)
        .where(
            Contact.phone_blind.in_(blinds),
            Customer.archived_at.is_(None),
        )
        .order_by(Customer.id, Contact.id)
        .limit(LIMIT)
    )
    for customer, contact_id in via_contacts:
        matches.setdefault(customer.id, _row(customer, "contact", contact_id))
    rows = list(matches.values())[:LIMIT]
    if rows:
        counts = dict(
            session.execute(
                sa.select(Ticket.customer_id, sa.func.count())
                .where(
                    Ticket.customer_id.in_([r["id"] for r in rows]),
                    Ticket.status.in_(OPEN_STATUSES),
                )
                .group_by(Ticket.customer_id)
            ).all()
        )
        for row in rows:
            row["open_tickets"] = counts.get(row["id"], 0)
    audit.record(
        session,
        "lookup",
        "customer",
        None,
        after={"phone": mask(normalize_phone(number)), "customer_ids": [r["id"] for r in rows]},
        actor=actor,
        plugin="service",
        row_count=len(rows),
    )
    return rows


def _row(customer: Customer, matched_by: str, contact_id: int | None) -> dict[str, Any]:
    return {
        "id": customer.id,
        "code": customer.code,
        "name": customer.name,
        "phone": customer.phone,
        "matched_by": matched_by,
        "contact_id": contact_id,
        "open_tickets": 0,
    }
