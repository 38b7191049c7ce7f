"""Return visits (回访): a call back to the customer some time after resolution.

Resolving a ticket schedules one (``SERVICE_RETURN_VISIT_HOURS`` later, 24 by
default; one per ticket, so a ticket resolved again keeps it); agents list the
visits that are due and record what they found, which goes on the timeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from crm_host.sdk import NotFound, User, audit, utcnow
from crm_host.sdk import validation as check
from crm_service.models import VISIT_OUTCOMES, ReturnVisit, Ticket
from crm_service.records import PLUGIN, get_ticket, on_timeline

DEFAULT_HOURS = 24
NOTE_MAX = 2000
OBJECT = "service.return_visit"


def delay() -> timedelta:
    """How long after resolution the visit is due (``SERVICE_RETURN_VISIT_HOURS``).

    Outside an application (a script on the service layer) the default applies.
    """
    hours = current_app.config.get("SERVICE_RETURN_VISIT_HOURS") if has_app_context() else None
    return timedelta(hours=float(hours if hours is not None else DEFAULT_HOURS))


def schedule(session: Session, ticket: Ticket, *, at: datetime) -> ReturnVisit:
    """The ticket's return visit, scheduled now unless it has one."""
    existing = session.scalar(sa.select(ReturnVisit).where(ReturnVisit.ticket_id == ticket.id))
    if existing is not None:
        return existing
    visit = ReturnVisit(ticket_id=ticket.id, due_at=at + delay(), assignee_id=ticket.assignee_id)
    session.add(visit)
    session.flush()
    return visit


def get_visit(session: Session, visit_id: int) -> ReturnVisit:
    """The visit with this id, or :class:`NotFound`."""
    visit = session.get(ReturnVisit, visit_id)
    if visit is None:
        raise NotFound(f"no return visit with id {visit_id}")
    return visit


def pending(
    session: Session, *, now: datetime | None = None, assignee_id: int | None = None
) -> list[ReturnVisit]:
    """Visits not made yet and due by ``now`` (all pending ones when ``now`` is None),
    soonest first; only ``assignee_id``'s when given."""
    query = sa.select(ReturnVisit).where(ReturnVisit.done_at.is_(None))
    if now is not None:
        query = query.where(ReturnVisit.due_at <= now)
    if assignee_id is not None:
        query = query.where(ReturnVisit.assignee_id == assignee_id)
    return list(session.scalars(query.order_by(ReturnVisit.due_at, ReturnVisit.id).limit(500)))


def record(
    session: Session,
    visit: ReturnVisit,
    *,
    outcome: str,
    note: str | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> ReturnVisit:
    """Record what the visit found (a correction overwrites it, audited)."""
    errors: check.Errors = {}
    check.choice(outcome, "outcome", errors, VISIT_OUTCOMES, required=True)
    note = check.text(note, "note", errors, max_length=NOTE_MAX, multiline=True) or None
    check.fail_if(errors, "the return visit is not valid")
    at = at or utcnow()
    before = {"outcome": visit.outcome, "note": visit.note}
    visit.outcome, visit.note, visit.done_at = outcome, note, at
    visit.done_by_id = actor.id if actor else None
    session.flush()
    audit.record(
        session,
        "record",
        OBJECT,
        visit.id,
        before=before,
        after={"outcome": outcome, "note": note},
        actor=actor,
        plugin=PLUGIN,
    )
    ticket = get_ticket(session, visit.ticket_id)
    on_timeline(
        session,
        ticket,
        f"Return visit: {outcome.replace('_', ' ')}",
        actor=actor,
        body=note,
        direction="outbound",
        at=at,
    )
    return visit
