"""The service plugin's part in merges, erasures and subject-access exports."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, bump_version, jsonable
from crm_service.models import Ticket, TicketMessage

ERASED = "[erased]"


def move_tickets(session: Session, survivor: Customer, merged: Customer) -> int:
    """Point the merged customer's tickets at the survivor; returns how many moved."""
    return session.execute(
        sa.update(Ticket)
        .where(Ticket.customer_id == merged.id)
        .values(customer_id=survivor.id, **bump_version(Ticket))
    ).rowcount


def erase_tickets(session: Session, customer: Customer) -> None:
    """Replace the free text of the customer's tickets and messages (it holds names,
    numbers, addresses); keep ids, types, statuses and times for the service figures.
    Idempotent: a second run writes the same values."""
    ticket_ids = sa.select(Ticket.id).where(Ticket.customer_id == customer.id)
    session.execute(
        sa.update(Ticket)
        .where(Ticket.customer_id == customer.id)
        .values(
            subject=ERASED, description="", category=None, contact_id=None, **bump_version(Ticket)
        )
    )
    session.execute(
        sa.update(TicketMessage).where(TicketMessage.ticket_id.in_(ticket_ids)).values(body=ERASED)
    )


def export_tickets(session: Session, customer_id: int) -> dict[str, Any] | None:
    """The customer's tickets and their messages as JSON-ready rows; ``None`` when none."""
    tickets = session.scalars(
        sa.select(Ticket).where(Ticket.customer_id == customer_id).order_by(Ticket.id)
    ).all()
    if not tickets:
        return None
    ids = [t.id for t in tickets]
    rows = session.scalars(
        sa.select(TicketMessage)
        .where(TicketMessage.ticket_id.in_(ids))
        .order_by(TicketMessage.ticket_id, TicketMessage.id)
    ).all()

    def row(obj: Any) -> dict[str, Any]:
        return {c.key: jsonable(getattr(obj, c.key)) for c in sa.inspect(type(obj)).columns}

    return {"tickets": [row(t) for t in tickets], "ticket_messages": [row(m) for m in rows]}
