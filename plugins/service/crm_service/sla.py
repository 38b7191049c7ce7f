"""SLA policies and the two clocks every ticket under a policy carries.

The clocks live on the host's engine (:mod:`crm_host.sdk.clocks`) as object type
``service.ticket``: ``first_response`` (stopped by the first public reply) and
``resolution`` (stopped on resolve). Both pause while the ticket waits on the
customer. A reopened ticket gets a fresh resolution clock, ``resolution_2`` and on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ClockStatus, Conflict, NotFound, SlaClock, ValidationFailed, clocks
from crm_service import types
from crm_service.models import PRIORITIES, SlaPolicy, Ticket, TicketType

OBJECT_TYPE = "service.ticket"
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
#: Targets beyond a year of working time are typing mistakes, not policies.
MAX_MINUTES = 525_600


def get_policy(session: Session, policy_id: int) -> SlaPolicy:
    """The policy with this id, or :class:`NotFound`."""
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound(f"no SLA policy with id {policy_id}")
    return policy


def policy_named(session: Session, name: str) -> SlaPolicy:
    """The policy called ``name``, or a :class:`ValidationFailed` naming it."""
    policy = session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == name))
    if policy is None:
        raise ValidationFailed(
            f"no SLA policy named {name!r}", details={"sla_policy": ["Unknown policy."]}
        )
    return policy


def save_policy(
    session: Session, data: dict[str, Any], policy: SlaPolicy | None = None
) -> SlaPolicy:
    """Create a policy, or change ``policy``, from API-shaped data (validated here too).

    ``calendar`` must name a business calendar the host knows (``24x7`` always exists).
    """
    errors: dict[str, list[str]] = {}
    merged = {
        "priority": None,
        "type_id": None,
        "calendar": clocks.ALWAYS,
        "active": True,
        **({c: getattr(policy, c) for c in _FIELDS} if policy else {}),
        **data,
    }
    if not str(merged.get("name") or "").strip():
        errors["name"] = ["Required."]
    if merged["priority"] is not None and merged["priority"] not in PRIORITIES:
        errors["priority"] = ["Must be one of: " + ", ".join(PRIORITIES) + "."]
    for field in ("first_response_minutes", "resolution_minutes"):
        value = merged.get(field)
        if not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
            errors[field] = [f"A whole number of minutes from 1 to {MAX_MINUTES}."]
    types.ensure_defaults(session)
    if merged["type_id"] is not None and session.get(TicketType, merged["type_id"]) is None:
        errors["type_id"] = ["Unknown ticket type."]
    if "calendar" not in errors:
        try:
            clocks.calendar_row(session, merged["calendar"])
        except NotFound:
            errors["calendar"] = [f"No business calendar named {merged['calendar']!r}."]
    if errors:
        raise ValidationFailed("the SLA policy is not valid", details=errors)
    clash = session.scalar(
        sa.select(SlaPolicy.id).where(
            SlaPolicy.name == merged["name"], SlaPolicy.id != (policy.id if policy else -1)
        )
    )
    if clash is not None:
        raise Conflict(
            f"an SLA policy named {merged['name']!r} exists", details={"name": ["Taken."]}
        )
    policy = policy or SlaPolicy()
    for column in _FIELDS:
        setattr(policy, column, merged[column])
    session.add(policy)
    session.flush()
    return policy


_FIELDS = (
    "name",
    "priority",
    "type_id",
    "first_response_minutes",
    "resolution_minutes",
    "calendar",
    "active",
)


def best_policy(session: Session, type_id: int, priority: str) -> SlaPolicy | None:
    """The most specific active policy for a type and priority: both set beats type
    only beats priority only beats a catch-all; the oldest wins a tie."""
    candidates = session.scalars(
        sa.select(SlaPolicy)
        .where(
            SlaPolicy.active.is_(True),
            sa.or_(SlaPolicy.type_id.is_(None), SlaPolicy.type_id == type_id),
            sa.or_(SlaPolicy.priority.is_(None), SlaPolicy.priority == priority),
        )
        .order_by(SlaPolicy.id)
    ).all()
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.type_id is not None, p.priority is not None, -p.id))


def start_clocks(session: Session, ticket: Ticket, policy: SlaPolicy, at: datetime) -> None:
    """Start the first-response and resolution clocks of a new ticket."""
    for name, minutes in (
        (FIRST_RESPONSE, policy.first_response_minutes),
        (RESOLUTION, policy.resolution_minutes),
    ):
        clocks.start_clock(
            session,
            OBJECT_TYPE,
            ticket.id,
            name,
            target=timedelta(minutes=minutes),
            calendar=policy.calendar,
            at=at,
        )


def ticket_clocks(session: Session, ticket_id: int) -> list[SlaClock]:
    """Every clock of a ticket, oldest first."""
    return list(
        session.scalars(
            sa.select(SlaClock)
            .where(SlaClock.object_type == OBJECT_TYPE, SlaClock.object_id == str(ticket_id))
            .order_by(SlaClock.id)
        )
    )


def _status(row: SlaClock) -> ClockStatus:
    if row.stopped_at is not None:
        return ClockStatus.STOPPED
    return ClockStatus.PAUSED if row.paused_at is not None else ClockStatus.RUNNING


def pause_all(session: Session, ticket_id: int, at: datetime) -> None:
    """Pause the ticket's running clocks (it now waits on the customer)."""
    for row in ticket_clocks(session, ticket_id):
        if _status(row) is ClockStatus.RUNNING:
            clocks.pause_clock(session, OBJECT_TYPE, ticket_id, row.name, at=at)


def resume_all(session: Session, ticket_id: int, at: datetime) -> None:
    """Resume the ticket's paused clocks (the customer answered, work goes on)."""
    for row in ticket_clocks(session, ticket_id):
        if _status(row) is ClockStatus.PAUSED:
            clocks.resume_clock(session, OBJECT_TYPE, ticket_id, row.name, at=at)


def stop(session: Session, ticket_id: int, prefix: str, at: datetime) -> None:
    """Stop the ticket's clocks whose names start with ``prefix`` and are not stopped."""
    for row in ticket_clocks(session, ticket_id):
        if row.name.startswith(prefix) and _status(row) is not ClockStatus.STOPPED:
            clocks.stop_clock(session, OBJECT_TYPE, ticket_id, row.name, at=at)


def restart_resolution(session: Session, ticket: Ticket, at: datetime) -> None:
    """Give a reopened ticket a new resolution clock with its policy's target."""
    policy = session.get(SlaPolicy, ticket.sla_policy_id) if ticket.sla_policy_id else None
    if policy is None:
        return
    clocks.start_clock(
        session,
        OBJECT_TYPE,
        ticket.id,
        f"{RESOLUTION}_{ticket.reopen_count + 1}",
        target=timedelta(minutes=policy.resolution_minutes),
        calendar=policy.calendar,
        at=at,
    )


def breached_ids() -> sa.Select[Any]:
    """Ids (as text, the clock table's type) of tickets with a breached clock."""
    return sa.select(SlaClock.object_id).where(
        SlaClock.object_type == OBJECT_TYPE, SlaClock.breached_at.is_not(None)
    )
