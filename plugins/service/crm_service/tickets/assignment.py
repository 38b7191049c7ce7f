"""Who works a ticket: claiming it, assigning it, round robin in its queue, and moving
many at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Conflict,
    NotFound,
    User,
    ValidationFailed,
    audit,
    bump_version,
    utcnow,
)
from crm_service import workflow
from crm_service.models import Ticket
from crm_service.queues import least_loaded_agent, next_agent
from crm_service.records import OBJECT, PLUGIN, on_timeline, snapshot


def claim(session: Session, ticket_id: int, user: User, *, at: datetime | None = None) -> bool:
    """Take an unassigned open ticket for ``user``; ``True`` for the one winner.

    One compare-and-set UPDATE: it only matches while ``assignee_id`` is null, so of
    any number of agents claiming at once exactly one changes the row; the others
    match nothing and get ``False``. A new ticket becomes ``assigned``.
    """
    at = at or utcnow()
    won = session.execute(
        sa.update(Ticket)
        .where(
            Ticket.id == ticket_id,
            Ticket.assignee_id.is_(None),
            Ticket.status.in_(workflow.OPEN_STATUSES),
        )
        .values(
            assignee_id=user.id,
            status=sa.case((Ticket.status == "new", "assigned"), else_=Ticket.status),
            updated_at=at,
            **bump_version(Ticket),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        if session.get(Ticket, ticket_id) is None:
            raise NotFound(f"no ticket with id {ticket_id}")
        return False
    ticket = session.get(Ticket, ticket_id)
    session.refresh(ticket)
    audit.record(
        session,
        "claim",
        OBJECT,
        ticket_id,
        after={"assignee_id": user.id},
        actor=user,
        plugin=PLUGIN,
    )
    on_timeline(
        session, ticket, f"Ticket claimed by {user.name or user.username}", actor=user, at=at
    )
    return True


def assign(
    session: Session,
    ticket: Ticket,
    user: User | None,
    *,
    actor: User | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Give the ticket to ``user`` (or take it off anyone with ``None``), whoever held it."""
    at = at or utcnow()
    if ticket.status in workflow.DONE_STATUSES:
        raise Conflict(
            f"a {ticket.status} ticket cannot be reassigned; reopen it first",
            details={"assignee_id": ["The ticket is finished."]},
        )
    if user is not None and not user.is_active:
        raise ValidationFailed(
            "that user is deactivated", details={"assignee_id": ["Inactive user."]}
        )
    before = snapshot(ticket)
    ticket.assignee_id = user.id if user else None
    if user is not None and ticket.status == "new":
        ticket.status = "assigned"
    elif user is None and ticket.status == "assigned":
        ticket.status = "new"
    ticket.updated_at = at
    session.flush()
    audit.record(
        session,
        "assign",
        OBJECT,
        ticket.id,
        before=before,
        after=snapshot(ticket),
        actor=actor,
        plugin=PLUGIN,
    )
    who = (user.name or user.username) if user else "nobody"
    on_timeline(session, ticket, f"Ticket assigned to {who}", actor=actor, at=at)
    return ticket


def assign_round_robin(
    session: Session,
    ticket: Ticket,
    *,
    actor: User | None = None,
    at: datetime | None = None,
    strategy: str = "round_robin",
) -> User | None:
    """Give an unassigned ticket to the next agent of its department's queue, in turn.

    Agents are the department's active members, by id; the department's cursor row
    remembers who was last, and is locked (``FOR UPDATE`` on PostgreSQL; SQLite's
    writer lock already serialises) so two assignments at once do not pick the same
    agent. Returns the agent, or ``None`` when the ticket had an assignee or the
    department has no agents.
    """
    if ticket.assignee_id is not None or ticket.department_id is None:
        return None
    if strategy == "least_loaded":
        agent = least_loaded_agent(session, ticket.department_id)
    else:
        agent = next_agent(session, ticket.department_id)
    if agent is None:
        return None
    assign(session, ticket, agent, actor=actor, at=at)
    return agent


def reassign_many(
    session: Session,
    ticket_ids: list[int],
    user: User | None,
    *,
    actor: User | None = None,
    allowed: Any = None,
) -> list[Ticket]:
    """Give several tickets to ``user`` (or to nobody) in one transaction.

    ``allowed(ticket)`` raises for a ticket the actor may not change (the API passes
    the record rule); any refusal or unknown id aborts the whole batch, so a bulk
    move never half-happens.
    """
    if not ticket_ids:
        raise ValidationFailed("name at least one ticket", details={"ticket_ids": ["Empty."]})
    rows = session.scalars(sa.select(Ticket).where(Ticket.id.in_(set(ticket_ids)))).all()
    missing = sorted(set(ticket_ids) - {t.id for t in rows})
    if missing:
        raise ValidationFailed(
            "unknown tickets: " + ", ".join(map(str, missing)),
            details={"ticket_ids": [f"No ticket {n}." for n in missing]},
        )
    for ticket in sorted(rows, key=lambda t: t.id):
        if allowed is not None:
            allowed(ticket)
        assign(session, ticket, user, actor=actor)
    return sorted(rows, key=lambda t: t.id)
