"""The customer portal through signed links, on the host's public link page.

Two links, neither needing an account:

- ``service.portal`` names a customer: it files a new ticket or fault report;
- ``service.ticket`` names a ticket: it shows the ticket's status and public
  messages, and takes the customer's reply.

Both live 90 days and may be used again and again; staff hand them out from the
ticket page, the API or ``crm service portal-link``. A ticket filed through the
portal mails its follow link to the customer, when they have an address.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, LinkError, ValidationFailed, make_token, queue_email, read_token
from crm_service import tickets, types
from crm_service.labels import STATUS_LABELS
from crm_service.models import CUSTOMER_KIND, Ticket, TicketMessage, TicketType

NEW = "service.portal"
FOLLOW = "service.ticket"
LIFETIME = timedelta(days=90)
#: Ticket types a customer may file: a fault report is the ``fault_repair`` type.
PUBLIC_TYPES = ("inquiry", "request", "complaint", "fault_repair")


def _url(purpose: str, payload: dict[str, int]) -> str:
    token = make_token(purpose, payload, expires_in=LIFETIME)
    public = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return f"{public}/l/{purpose}/{token}"


def customer_link(customer_id: int) -> str:
    """The link on which the customer files tickets (needs an application context)."""
    return _url(NEW, {"customer": customer_id})


def ticket_link(ticket_id: int) -> str:
    """The link on which the customer follows one ticket and replies."""
    return _url(FOLLOW, {"ticket": ticket_id})


def _id(purpose: str, token: str, key: str) -> int:
    payload = read_token(purpose, token)
    value = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(value, int):
        raise LinkError("invalid", "This link is not valid.")
    return value


def _customer(session: Session, token: str) -> Customer:
    customer = session.get(Customer, _id(NEW, token, "customer"))
    if customer is None or customer.archived_at is not None:
        raise LinkError("invalid", "This link is not valid.")
    return customer


def _ticket(session: Session, token: str) -> Ticket:
    ticket = session.get(Ticket, _id(FOLLOW, token, "ticket"))
    if ticket is None:
        raise LinkError("invalid", "This link is not valid.")
    return ticket


def new_context(session: Session, token: str) -> dict[str, Any]:
    """What the filing form shows: whose it is and the types to choose from."""
    customer = _customer(session, token)
    types.ensure_defaults(session)
    kinds = session.scalars(
        sa.select(TicketType).where(TicketType.code.in_(PUBLIC_TYPES)).order_by(TicketType.id)
    ).all()
    return {"portal_customer": customer.name, "portal_types": kinds}


def file_ticket(session: Session, token: str, form: Mapping[str, Any]) -> str:
    """The ``service.portal`` handler: open the customer's ticket from the form."""
    customer = _customer(session, token)
    kind = str(form.get("ticket_type") or "inquiry")
    if kind not in PUBLIC_TYPES:
        raise ValidationFailed(
            f"no ticket type {kind!r} here", details={"ticket_type": ["Unknown ticket type."]}
        )
    try:
        ticket = tickets.open_ticket(
            session,
            customer_id=customer.id,
            ticket_type=kind,
            subject=str(form.get("subject") or ""),
            description="",
            channel="portal",
            source="portal",
        )
    except ValidationFailed as error:
        # The public page shows the message only: name the fields in it.
        fields = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.details.items())
        raise ValidationFailed(f"{error.message} ({fields})", details=error.details) from None
    body = str(form.get("description") or "").strip()
    if body:
        tickets.add_customer_message(session, ticket, body=body)
    if customer.email:
        queue_email(
            session,
            to=customer.email,
            subject=f"[#{ticket.id}] {ticket.subject}"[:300],
            text=f"Follow your request here / 查看工单进度：\n\n{ticket_link(ticket.id)}\n",
        )
    return str(_l("Your request has been filed as ticket #%(number)s.", number=ticket.id))


def follow_context(session: Session, token: str) -> dict[str, Any]:
    """What the follow page shows: the ticket's subject, status and public messages."""
    ticket = _ticket(session, token)
    shown = session.scalars(
        sa.select(TicketMessage)
        .where(
            TicketMessage.ticket_id == ticket.id,
            TicketMessage.kind.in_(("reply", CUSTOMER_KIND)),
        )
        .order_by(TicketMessage.created_at, TicketMessage.id)
    ).all()
    return {
        "portal_ticket": ticket,
        "portal_status": STATUS_LABELS.get(ticket.status, ticket.status),
        "portal_messages": shown,
    }


def reply(session: Session, token: str, form: Mapping[str, Any]) -> str:
    """The ``service.ticket`` handler: the customer's reply goes on the ticket."""
    ticket = _ticket(session, token)
    body = str(form.get("body") or "").strip()
    if not body or len(body) > 100_000:
        raise ValidationFailed(
            "write a reply of at most 100,000 characters",
            details={"body": ["Required, at most 100,000 characters."]},
        )
    tickets.add_customer_message(session, ticket, body=body)
    return str(_l("Your reply has been added to ticket #%(number)s.", number=ticket.id))
