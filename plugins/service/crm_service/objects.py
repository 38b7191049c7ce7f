"""The service objects the host's shared services address: ``service.ticket`` and
``service.article`` (the knowledge base).

A ticket's record rule is its queue: the assignee (scope ``own``), a member of the
ticket's department (scope ``department``), or scope ``all`` — the same clause the
ticket list applies, so a file attached to a ticket is seen by who sees the ticket.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ObjectRegistry, User, record_filter, where_rule
from crm_service.models import Article, Ticket

READ = "service.tickets.read"
WRITE = "service.tickets.write"
MANAGE = "service.settings.manage"


def visible_tickets(session: Session, user: User | None, permission: str) -> sa.ColumnElement[bool]:
    """The WHERE clause of the tickets the queue rule lets ``user`` at under ``permission``."""
    return record_filter(
        session,
        user,
        permission,
        owner_column=Ticket.assignee_id,
        department_ids_of=lambda ids: Ticket.department_id.in_(ids),
    )


def _customers(session: Session, ids: list[Any]) -> dict[Any, list[int]]:
    rows = session.execute(sa.select(Ticket.id, Ticket.customer_id).where(Ticket.id.in_(ids)))
    return {ticket_id: [customer_id] for ticket_id, customer_id in rows}


def register(registry: ObjectRegistry) -> None:
    """Register ``service.ticket`` and ``service.article``.

    An article is read by whoever reads tickets (as on its routes) and written under
    ``service.settings.manage``; it concerns no customer.
    """
    registry.add(
        "ticket",
        Ticket,
        read=READ,
        write=WRITE,
        rule=where_rule(Ticket, visible_tickets),
        label="Ticket",
        customers=_customers,
        title=Ticket.subject,
        console_url="/service/tickets/{id}",
        api_url="/api/v1/service/tickets/{id}",
        searchable=(Ticket.subject,),
    )
    registry.add(
        "article",
        Article,
        read=READ,
        write=MANAGE,
        label="Knowledge-base article",
        title=Article.title,
        console_url="/service/kb/{id}",
        api_url="/api/v1/service/kb-articles/{id}",
        searchable=(Article.title,),
    )
