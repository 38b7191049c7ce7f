"""Breached SLA clocks become escalations: a higher priority, a notification, an event.

The host's :func:`crm_host.domain.sla.store.detect_breaches` marks each overdue clock
exactly once (compare-and-set), so running the check twice — or on two schedulers
at once — escalates a ticket once per breached clock. When admins define an
escalation chain (:mod:`crm_service.chain`), its steps replace that one escalation:
each step applies once per ticket as the ticket stays overdue.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Membership, Role, User, audit, clocks, emit, notify, utcnow
from crm_service import chain, sla, workflow
from crm_service.models import PRIORITIES, EscalationStep, Ticket
from crm_service.records import OBJECT, PLUGIN, on_timeline, snapshot
from crm_service.tickets import assign


def raised(priority: str) -> str:
    """The priority one step above ``priority`` (``urgent`` stays ``urgent``)."""
    index = PRIORITIES.index(priority) if priority in PRIORITIES else 1
    return PRIORITIES[min(index + 1, len(PRIORITIES) - 1)]


def _recipients(session: Session, ticket: Ticket) -> list[User]:
    """Who hears of a breach: the assignee, else the managers of the ticket's queue."""
    if ticket.assignee_id is not None:
        user = session.get(User, ticket.assignee_id)
        return [user] if user is not None and user.is_active else []
    if ticket.department_id is None:
        return []
    return list(
        session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Role, Role.id == Membership.role_id)
            .where(
                Membership.department_id == ticket.department_id,
                Role.name == "manager",
                User.is_active.is_(True),
            )
            .order_by(User.id)
            .distinct()
        )
    )


def check_sla(session: Session, now: datetime | None = None) -> list[tuple[int, str]]:
    """Mark newly breached ticket clocks and escalate their tickets; returns
    ``(ticket id, clock name)`` for each breach handled in this run."""
    return check(session, now)[0]


def check(
    session: Session, now: datetime | None = None
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The whole check: ``(breaches marked, chain steps applied)``, the latter as
    ``(ticket id, step name)``.

    Without an active chain each breach raises the ticket's priority and notifies;
    with one, the breach is only marked and reported, and the chain acts.
    """
    now = now or utcnow()
    steps = chain.active_steps(session)
    handled = []
    for clock in clocks.detect_breaches(session, now, object_type=sla.OBJECT_TYPE):
        ticket = session.get(Ticket, int(clock.object_id))
        if ticket is None:
            continue
        handled.append((ticket.id, clock.name))
        emit(
            session,
            "crm_service_sla_breached",
            ticket_id=ticket.id,
            clock=clock.name,
            customer_ids=[ticket.customer_id],
        )
        if ticket.status not in workflow.OPEN_STATUSES or steps:
            continue
        escalate(session, ticket, clock.name, at=now)
    applied = []
    if steps:
        for ticket, due_at in chain.overdue_tickets(session, now):
            overdue_minutes = (now - due_at).total_seconds() / 60
            for step in steps:
                if step.after_minutes > overdue_minutes:
                    break
                if chain.claim_step(session, ticket, step, now):
                    apply_step(session, ticket, step, at=now)
                    applied.append((ticket.id, step.name))
    return handled, applied


def apply_step(session: Session, ticket: Ticket, step: EscalationStep, *, at: datetime) -> None:
    """Do what one chain step says to the ticket: raise, move or assign, notify."""
    before = snapshot(ticket)
    if step.assignee_id is not None:
        user = session.get(User, step.assignee_id)
        if user is not None and user.is_active and ticket.assignee_id != user.id:
            assign(session, ticket, user, at=at)
    elif step.department_id is not None and ticket.department_id != step.department_id:
        if ticket.assignee_id is not None:
            assign(session, ticket, None, at=at)
        ticket.department_id = step.department_id
    if step.raise_priority:
        ticket.priority = raised(ticket.priority)
    ticket.escalation_level += 1
    ticket.updated_at = at
    session.flush()
    audit.record(
        session,
        "escalate",
        OBJECT,
        ticket.id,
        before=before,
        after={**snapshot(ticket), "step": step.name},
        plugin=PLUGIN,
    )
    on_timeline(
        session,
        ticket,
        f"Escalation step {step.name!r}; priority {ticket.priority}",
        actor=None,
        at=at,
    )
    if step.notify:
        _tell(session, ticket, f"Ticket #{ticket.id} escalated: {step.name}")


def _tell(session: Session, ticket: Ticket, title: str) -> None:
    for user in _recipients(session, ticket):
        notify(
            session,
            user,
            kind="service.escalated",
            title=title,
            body=ticket.subject,
            link=f"/service/tickets/{ticket.id}",
            plugin=PLUGIN,
            about=(OBJECT, ticket.id),
        )


def escalate(session: Session, ticket: Ticket, clock: str, *, at: datetime) -> None:
    """Raise the ticket's priority one step, count the escalation and tell who must act."""
    before = snapshot(ticket)
    ticket.priority = raised(ticket.priority)
    ticket.escalation_level += 1
    ticket.updated_at = at
    session.flush()
    audit.record(
        session, "escalate", OBJECT, ticket.id, before=before, after=snapshot(ticket), plugin=PLUGIN
    )
    on_timeline(
        session, ticket, f"SLA {clock} breached; escalated to {ticket.priority}", actor=None, at=at
    )
    for user in _recipients(session, ticket):
        notify(
            session,
            user,
            kind="service.sla_breached",
            title=f"Ticket #{ticket.id} breached its {clock.replace('_', ' ')} target",
            body=ticket.subject,
            link=f"/service/tickets/{ticket.id}",
            plugin=PLUGIN,
            about=(OBJECT, ticket.id),
        )
