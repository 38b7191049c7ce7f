"""A ticket's record: finding it, its audit snapshot, and its entries on the customer's
timeline.

The lowest of the ticket modules: the ticket operations, surveys, return visits and
the escalation all write through it, so none of them needs another to do so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import NotFound, User, timeline
from crm_service.models import Ticket

PLUGIN = "service"
OBJECT = "service.ticket"


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    """The ticket with this id, or :class:`NotFound`."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    return ticket


def snapshot(ticket: Ticket) -> dict[str, Any]:
    """The ticket's fields as audit data."""
    return {
        column.key: getattr(ticket, column.key)
        for column in sa.inspect(Ticket).columns
        # The description is free text the customer wrote; the audit keeps what changed
        # hands, not what was said.
        if column.key not in ("created_at", "updated_at", "description")
    }


def on_timeline(
    session: Session,
    ticket: Ticket,
    subject: str,
    *,
    actor: User | None,
    body: str | None = None,
    direction: str = "internal",
    at: datetime | None = None,
) -> None:
    """Put an entry about ``ticket`` on its customer's timeline, numbered ``#<id>``."""
    timeline.add_entry(
        session,
        customer_id=ticket.customer_id,
        channel="ticket",
        subject=f"#{ticket.id} {subject}"[:300],
        body=body,
        source_plugin=PLUGIN,
        direction=direction,
        occurred_at=at,
        author=actor,
        about=(OBJECT, ticket.id),
    )
