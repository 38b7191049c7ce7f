"""Opening a ticket: its type, its queue, its checked fields, its SLA clocks, and the
entries and event that announce it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Contact,
    Customer,
    Department,
    PluginEnablement,
    User,
    ValidationFailed,
    audit,
    emit,
    utcnow,
)
from crm_host.sdk import validation as check
from crm_service import sla, types
from crm_service.models import CHANNELS, PRIORITIES, Ticket, TicketType
from crm_service.records import OBJECT, PLUGIN, on_timeline, snapshot
from crm_service.tickets.assignment import assign_round_robin


def type_by_code(session: Session, code: str) -> TicketType:
    """The active ticket type with this code, or a :class:`ValidationFailed` naming it."""
    types.ensure_defaults(session)
    row = session.scalar(sa.select(TicketType).where(TicketType.code == code))
    if row is None or not row.active:
        raise ValidationFailed(
            f"no ticket type {code!r}", details={"ticket_type": ["Unknown ticket type."]}
        )
    return row


def service_departments(session: Session) -> list[Department]:
    """Departments that have the service plugin enabled, by code: the possible queues."""
    return list(
        session.scalars(
            sa.select(Department)
            .join(PluginEnablement, PluginEnablement.department_id == Department.id)
            .where(PluginEnablement.plugin_name == PLUGIN)
            .order_by(Department.code)
        )
    )


def _queue(session: Session, department: str | int | None, actor: User | None) -> int | None:
    """The department whose queue a new ticket joins: the one named, else the actor's
    first service department, else the first service department."""
    queues = service_departments(session)
    if department is not None:
        for row in queues:
            if department in (row.id, row.code):
                return row.id
        raise ValidationFailed(
            f"department {department!r} has no service queue",
            details={"department": ["Not a department with the service plugin enabled."]},
        )
    if actor is not None:
        mine = [row.id for row in queues if row.id in actor.department_ids]
        if mine:
            return mine[0]
    return queues[0].id if queues else None


def validate_fields(session: Session, data: dict[str, Any], customer_id: int) -> None:
    """Check the ticket fields present in ``data`` (all of them when opening, the
    changed ones on a PATCH) by the host's rules; one :class:`ValidationFailed` lists
    everything wrong."""
    errors: check.Errors = {}
    if "subject" in data:
        check.text(data["subject"], "subject", errors, max_length=300, required=True)
    if "description" in data:
        if data["description"] is None:  # the column holds "" for none, never NULL
            check.add_error(errors, "description", "Must be text.")
        check.text(data["description"], "description", errors, max_length=100_000, multiline=True)
    if "priority" in data:
        check.choice(data["priority"], "priority", errors, PRIORITIES, required=True)
    if "channel" in data:
        check.choice(data["channel"], "channel", errors, CHANNELS, required=True)
    check.text(data.get("category"), "category", errors, max_length=100)
    contact_id = data.get("contact_id")
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.customer_id != customer_id:
            errors["contact_id"] = ["Not a contact of this customer."]
    if "type_id" in data:
        types.ensure_defaults(session)
        row = session.get(TicketType, data["type_id"])
        if row is None or not row.active:
            errors["type_id"] = ["Unknown ticket type."]
    check.fail_if(errors, "the ticket is not valid")


def open_ticket(
    session: Session,
    *,
    customer_id: int,
    ticket_type: str,
    subject: str,
    description: str = "",
    priority: str = "normal",
    channel: str = "phone",
    category: str | None = None,
    contact_id: int | None = None,
    department: str | int | None = None,
    sla_policy: str | None = None,
    source: str = "api",
    actor: User | None = None,
    auto_assign: bool = False,
    at: datetime | None = None,
) -> Ticket:
    """Open a ticket: validate, join a department's queue, start its SLA clocks, write
    the timeline and audit entries, and emit ``crm_service_ticket_created``.

    ``sla_policy`` names a policy; without it the best match by type and priority
    applies (none: no clocks). ``auto_assign`` hands it to the queue's next agent.
    """
    at = at or utcnow()
    customer = _customer(session, customer_id)
    kind = type_by_code(session, ticket_type)
    fields = {
        "subject": subject,
        "description": description,
        "priority": priority,
        "channel": channel,
        "category": category,
        "contact_id": contact_id,
    }
    validate_fields(session, fields, customer_id)
    _check_source(source)
    policy = (
        sla.policy_named(session, sla_policy)
        if sla_policy
        else sla.best_policy(session, kind.id, priority)
    )
    ticket = Ticket(
        **{**fields, "subject": subject.strip()},
        customer_id=customer.id,
        type_id=kind.id,
        department_id=_queue(session, department, actor),
        status="new",
        sla_policy_id=policy.id if policy else None,
        source=source,
        created_by_id=actor.id if actor else None,
        created_at=at,
        updated_at=at,
    )
    session.add(ticket)
    session.flush()
    if policy is not None:
        sla.start_clocks(session, ticket, policy, at)
    _announce(session, ticket, actor=actor, at=at)
    if auto_assign:
        assign_round_robin(session, ticket, actor=actor, at=at)
    return ticket


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ValidationFailed(
            f"no customer with id {customer_id}", details={"customer_id": ["Unknown customer."]}
        )
    return customer


def _check_source(source: Any) -> None:
    if not isinstance(source, str) or not 1 <= len(source) <= 64:
        raise ValidationFailed(
            "the source is 1–64 characters", details={"source": ["1–64 characters."]}
        )


def _announce(session: Session, ticket: Ticket, *, actor: User | None, at: datetime) -> None:
    """The new ticket on the timeline and in the audit, and its created event."""
    on_timeline(
        session,
        ticket,
        f"Ticket opened: {ticket.subject}",
        actor=actor,
        body=ticket.description or None,
        direction="inbound",
        at=at,
    )
    audit.record(
        session, "create", OBJECT, ticket.id, after=snapshot(ticket), actor=actor, plugin=PLUGIN
    )
    emit(
        session,
        "crm_service_ticket_created",
        ticket_id=ticket.id,
        customer_ids=[ticket.customer_id],
    )
