"""The escalation chain: configurable steps applied to overdue tickets, each once.

A step says what to do once a ticket has been overdue for so many minutes — raise
its priority, move it to another queue or hand it to a person, notify. Overdue is
wall-clock time since the earliest due time of its breached clocks still running.
Each application is a row unique per (ticket, step, round), inserted before the step
acts, so two runs of the schedule — or two schedulers at once — apply a step once;
a reopened ticket (a new round) may be escalated again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, Department, NotFound, SlaClock, User, ValidationFailed
from crm_service import sla, workflow
from crm_service.models import Escalation, EscalationStep, Ticket

_FIELDS = (
    "name",
    "after_minutes",
    "raise_priority",
    "department_id",
    "assignee_id",
    "notify",
    "active",
)


def get_step(session: Session, step_id: int) -> EscalationStep:
    """The step with this id, or :class:`NotFound`."""
    step = session.get(EscalationStep, step_id)
    if step is None:
        raise NotFound(f"no escalation step with id {step_id}")
    return step


def active_steps(session: Session) -> list[EscalationStep]:
    """The chain in order: soonest first."""
    return list(
        session.scalars(
            sa.select(EscalationStep)
            .where(EscalationStep.active.is_(True))
            .order_by(EscalationStep.after_minutes, EscalationStep.id)
        )
    )


def save_step(
    session: Session, data: dict[str, Any], step: EscalationStep | None = None
) -> EscalationStep:
    """Create a step, or change ``step``, from API-shaped data (validated here too)."""
    merged = {
        "raise_priority": False,
        "department_id": None,
        "assignee_id": None,
        "notify": True,
        "active": True,
        **({c: getattr(step, c) for c in _FIELDS} if step else {}),
        **data,
    }
    errors: dict[str, list[str]] = {}
    name = merged.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        errors["name"] = ["Required, at most 100 characters."]
    after = merged.get("after_minutes")
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= sla.MAX_MINUTES:
        errors["after_minutes"] = [f"A whole number of minutes from 0 to {sla.MAX_MINUTES}."]
    if (
        merged["department_id"] is not None
        and session.get(Department, merged["department_id"]) is None
    ):
        errors["department_id"] = ["Unknown department."]
    if merged["assignee_id"] is not None:
        user = session.get(User, merged["assignee_id"])
        if user is None or not user.is_active:
            errors["assignee_id"] = ["Unknown or inactive user."]
    if merged["department_id"] is not None and merged["assignee_id"] is not None:
        errors["assignee_id"] = ["A step moves the ticket to a queue or to a person, not both."]
    if (
        not (merged["raise_priority"] or merged["department_id"] or merged["assignee_id"])
        and not (merged["notify"])
    ):
        errors["notify"] = ["A step must do something: raise, move, assign or notify."]
    if errors:
        raise ValidationFailed("the escalation step is not valid", details=errors)
    clash = session.scalar(
        sa.select(EscalationStep.id).where(
            EscalationStep.name == merged["name"],
            EscalationStep.id != (step.id if step else -1),
        )
    )
    if clash is not None:
        raise Conflict(
            f"an escalation step named {merged['name']!r} exists", details={"name": ["Taken."]}
        )
    step = step or EscalationStep()
    for column in _FIELDS:
        setattr(step, column, merged[column])
    session.add(step)
    session.flush()
    return step


def overdue_tickets(session: Session, now: datetime) -> list[tuple[Ticket, datetime]]:
    """Open tickets with a breached clock still running, with their earliest due time."""
    earliest = sa.func.min(SlaClock.due_at)
    rows = session.execute(
        sa.select(Ticket, earliest)
        .join(
            SlaClock,
            sa.and_(
                SlaClock.object_type == sla.OBJECT_TYPE,
                SlaClock.object_id == sa.cast(Ticket.id, sa.String),
            ),
        )
        .where(
            SlaClock.breached_at.is_not(None),
            SlaClock.stopped_at.is_(None),
            # Waiting on the customer pauses the clocks: nobody here can act on it.
            SlaClock.paused_at.is_(None),
            Ticket.status.in_(workflow.OPEN_STATUSES),
            SlaClock.due_at <= now,
        )
        .group_by(Ticket.id)
        .order_by(Ticket.id)
    ).all()
    return [(ticket, due) for ticket, due in rows]


def claim_step(session: Session, ticket: Ticket, step: EscalationStep, at: datetime) -> bool:
    """Record that ``step`` applies to ``ticket`` in its current round; ``False`` when
    it already did (the unique row is the compare-and-set)."""
    try:
        with session.begin_nested():
            session.add(
                Escalation(
                    ticket_id=ticket.id, step_id=step.id, round=ticket.reopen_count, escalated_at=at
                )
            )
    except IntegrityError:
        return False
    return True
