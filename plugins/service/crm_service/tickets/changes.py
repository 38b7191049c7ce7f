"""Changing a ticket: its editable fields, and its status along the flow (keeping its
SLA clocks in step, and issuing the survey and return visit on resolution)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, User, ValidationFailed, audit, emit, utcnow
from crm_service import sla, visits, workflow
from crm_service.models import Ticket
from crm_service.records import OBJECT, PLUGIN, on_timeline, snapshot
from crm_service.surveys.issuing import issue as issue_survey
from crm_service.tickets.opening import validate_fields

#: Fields a PATCH may change; status and assignee move through their own functions.
EDITABLE = ("subject", "description", "priority", "category", "channel", "contact_id", "type_id")


def update_ticket(
    session: Session, ticket: Ticket, data: dict[str, Any], *, actor: User | None = None
) -> Ticket:
    """Change the editable fields of a ticket; each change is audited and on the timeline."""
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            "these fields cannot be changed here", details={k: ["Not editable."] for k in unknown}
        )
    validate_fields(session, data, ticket.customer_id)
    before = snapshot(ticket)
    changed = {k: v for k, v in data.items() if getattr(ticket, k) != v}
    if not changed:
        return ticket
    for key, value in changed.items():
        setattr(ticket, key, value.strip() if key == "subject" else value)
    session.flush()
    audit.record(
        session,
        "update",
        OBJECT,
        ticket.id,
        before=before,
        after=snapshot(ticket),
        actor=actor,
        plugin=PLUGIN,
    )
    on_timeline(session, ticket, "Ticket changed: " + ", ".join(sorted(changed)), actor=actor)
    return ticket


def transition(
    session: Session,
    ticket: Ticket,
    target: str,
    *,
    actor: User | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Move a ticket to ``target`` along the status flow, keeping its SLA clocks in step.

    An illegal move raises :class:`Conflict` naming both statuses. Waiting on the
    customer pauses the clocks, leaving it resumes them; resolving stops them and
    emits ``crm_service_ticket_resolved``; a reopen starts a new resolution clock.
    """
    at = at or utcnow()
    current = ticket.status
    workflow.check_transition(current, target)
    if target == "assigned" and ticket.assignee_id is None:
        raise Conflict(
            "assign the ticket to someone first",
            details={"status": ["The ticket has no assignee."]},
        )
    before = snapshot(ticket)
    if current == "waiting_on_customer":
        sla.resume_all(session, ticket.id, at)
    if workflow.is_reopen(current, target):
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
        sla.restart_resolution(session, ticket, at)
    if target == "waiting_on_customer":
        sla.pause_all(session, ticket.id, at)
    if target == "resolved":
        sla.stop(session, ticket.id, "", at)
        ticket.resolved_at = at
    if target == "closed":
        ticket.closed_at = at
        if current != "resolved":
            sla.stop(session, ticket.id, "", at)
    if target == "new":
        ticket.assignee_id = None
    ticket.status = target
    ticket.updated_at = at
    session.flush()
    audit.record(
        session,
        "transition",
        OBJECT,
        ticket.id,
        before=before,
        after=snapshot(ticket),
        actor=actor,
        plugin=PLUGIN,
    )
    verb = "reopened" if workflow.is_reopen(current, target) else f"{current} → {target}"
    on_timeline(session, ticket, f"Ticket {verb}", actor=actor, at=at)
    if target == "resolved":
        issue_survey(session, ticket, at=at)
        visits.schedule(session, ticket, at=at)
        emit(
            session,
            "crm_service_ticket_resolved",
            ticket_id=ticket.id,
            customer_ids=[ticket.customer_id],
        )
    return ticket
