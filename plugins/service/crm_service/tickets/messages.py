"""A ticket's messages: the service centre's replies and notes, and what the customer
wrote."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import User, utcnow
from crm_host.sdk import validation as check
from crm_service import sla
from crm_service.models import CUSTOMER_KIND, MESSAGE_KINDS, Ticket, TicketMessage
from crm_service.records import on_timeline
from crm_service.tickets.changes import transition

#: The longest message body, in characters.
MAX_BODY = 100_000


def add_message(
    session: Session,
    ticket: Ticket,
    *,
    kind: str,
    body: str,
    actor: User | None = None,
    at: datetime | None = None,
) -> TicketMessage:
    """Add a public reply or an internal note. The first reply stops the first-response
    clock; a reply to a ticket waiting on the customer does not move its status."""
    at = at or utcnow()
    errors: check.Errors = {}
    check.choice(kind, "kind", errors, MESSAGE_KINDS, required=True)
    check.text(body, "body", errors, max_length=MAX_BODY, required=True, multiline=True)
    check.fail_if(errors, "the message is not valid")
    message = TicketMessage(
        ticket_id=ticket.id,
        kind=kind,
        body=body,
        author_id=actor.id if actor else None,
        created_at=at,
    )
    session.add(message)
    if kind == "reply" and ticket.first_responded_at is None:
        ticket.first_responded_at = at
        sla.stop(session, ticket.id, sla.FIRST_RESPONSE, at)
    ticket.updated_at = at
    session.flush()
    if kind == "reply":
        on_timeline(
            session, ticket, "Reply sent", actor=actor, body=body, direction="outbound", at=at
        )
    else:
        on_timeline(session, ticket, "Internal note added", actor=actor, at=at)
    return message


def add_customer_message(
    session: Session, ticket: Ticket, *, body: str, at: datetime | None = None
) -> TicketMessage:
    """Add what the customer wrote (an emailed reply…) as a public message.

    It stops no clock: only the service centre's reply is a response. A ticket that
    waited on the customer goes back to work, and a resolved one is reopened, so the
    answer is seen.
    """
    at = at or utcnow()
    errors: check.Errors = {}
    if body is None:  # an empty mail body is "", never NULL
        check.add_error(errors, "body", "Must be text.")
    # Multiline: a customer's mail keeps its line breaks and tabs.
    check.text(body, "body", errors, max_length=MAX_BODY, multiline=True)
    check.fail_if(errors, "the message is not valid")
    message = TicketMessage(ticket_id=ticket.id, kind=CUSTOMER_KIND, body=body, created_at=at)
    session.add(message)
    ticket.updated_at = at
    session.flush()
    on_timeline(
        session, ticket, "Customer wrote", actor=None, body=body or None, direction="inbound", at=at
    )
    if ticket.status in ("waiting_on_customer", "resolved"):
        transition(session, ticket, "in_progress", at=at)
    return message


def messages(session: Session, ticket_id: int) -> list[TicketMessage]:
    """A ticket's messages, oldest first."""
    return list(
        session.scalars(
            sa.select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.created_at, TicketMessage.id)
        )
    )
