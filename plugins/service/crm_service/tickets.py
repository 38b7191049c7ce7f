"""Opening, changing and moving tickets: the service layer the API, CLI, console and
other plugins share.

Every function works in the caller's session and leaves committing to it, so a
ticket, its SLA clocks, its timeline entries, its audit entries and its events
commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Conflict,
    Contact,
    Customer,
    Department,
    NotFound,
    PluginEnablement,
    User,
    ValidationFailed,
    audit,
    bump_version,
    emit,
    timeline,
    utcnow,
)
from crm_service import sla, types, workflow
from crm_service.models import (
    CHANNELS,
    CUSTOMER_KIND,
    MESSAGE_KINDS,
    PRIORITIES,
    Ticket,
    TicketMessage,
    TicketType,
)
from crm_service.queues import least_loaded_agent, next_agent

PLUGIN = "service"
OBJECT = "service.ticket"
#: Fields a PATCH may change; status and assignee move through their own functions.
EDITABLE = ("subject", "description", "priority", "category", "channel", "contact_id", "type_id")


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    """The ticket with this id, or :class:`NotFound`."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    return ticket


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


def _validate_fields(session: Session, data: dict[str, Any], customer_id: int) -> None:
    errors: dict[str, list[str]] = {}
    subject = data.get("subject")
    if "subject" in data and (
        not isinstance(subject, str) or not subject.strip() or len(subject) > 300
    ):
        errors["subject"] = ["Required, at most 300 characters."]
    if "description" in data and (
        not isinstance(data["description"], str) or len(data["description"]) > 100_000
    ):
        errors["description"] = ["At most 100,000 characters."]
    if "priority" in data and data["priority"] not in PRIORITIES:
        errors["priority"] = ["Must be one of: " + ", ".join(PRIORITIES) + "."]
    if "channel" in data and data["channel"] not in CHANNELS:
        errors["channel"] = ["Must be one of: " + ", ".join(CHANNELS) + "."]
    category = data.get("category")
    if category is not None and (not isinstance(category, str) or len(category) > 100):
        errors["category"] = ["At most 100 characters."]
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
    if errors:
        raise ValidationFailed("the ticket is not valid", details=errors)


def _on_timeline(
    session: Session,
    ticket: Ticket,
    subject: str,
    *,
    actor: User | None,
    body: str | None = None,
    direction: str = "internal",
    at: datetime | None = None,
) -> None:
    timeline.add_entry(
        session,
        customer_id=ticket.customer_id,
        channel="ticket",
        subject=f"#{ticket.id} {subject}"[:300],
        body=body,
        source_plugin=PLUGIN,
        direction=direction,
        occurred_at=at,
        author=actor,
        about=(OBJECT, ticket.id),
    )


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
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ValidationFailed(
            f"no customer with id {customer_id}", details={"customer_id": ["Unknown customer."]}
        )
    kind = type_by_code(session, ticket_type)
    _validate_fields(
        session,
        {
            "subject": subject,
            "description": description,
            "priority": priority,
            "channel": channel,
            "category": category,
            "contact_id": contact_id,
        },
        customer_id,
    )
    if not isinstance(source, str) or not 1 <= len(source) <= 64:
        raise ValidationFailed(
            "the source is 1–64 characters", details={"source": ["1–64 characters."]}
        )
    policy = (
        sla.policy_named(session, sla_policy)
        if sla_policy
        else sla.best_policy(session, kind.id, priority)
    )
    ticket = Ticket(
        customer_id=customer.id,
        contact_id=contact_id,
        type_id=kind.id,
        channel=channel,
        priority=priority,
        category=category,
        department_id=_queue(session, department, actor),
        status="new",
        subject=subject.strip(),
        description=description,
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
    _on_timeline(
        session,
        ticket,
        f"Ticket opened: {ticket.subject}",
        actor=actor,
        body=description or None,
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
    if auto_assign:
        assign_round_robin(session, ticket, actor=actor, at=at)
    return ticket


def snapshot(ticket: Ticket) -> dict[str, Any]:
    """The ticket's fields as audit data."""
    return {
        column.key: getattr(ticket, column.key)
        for column in sa.inspect(Ticket).columns
        # The description is free text the customer wrote; the audit keeps what changed
        # hands, not what was said.
        if column.key not in ("created_at", "updated_at", "description")
    }


def update_ticket(
    session: Session, ticket: Ticket, data: dict[str, Any], *, actor: User | None = None
) -> Ticket:
    """Change the editable fields of a ticket; each change is audited and on the timeline."""
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            "these fields cannot be changed here", details={k: ["Not editable."] for k in unknown}
        )
    _validate_fields(session, data, ticket.customer_id)
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
    _on_timeline(session, ticket, "Ticket changed: " + ", ".join(sorted(changed)), actor=actor)
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
    _on_timeline(session, ticket, f"Ticket {verb}", actor=actor, at=at)
    if target == "resolved":
        # Imported here: surveys open follow-up tickets through this module.
        from crm_service import surveys, visits

        surveys.issue(session, ticket, at=at)
        visits.schedule(session, ticket, at=at)
        emit(
            session,
            "crm_service_ticket_resolved",
            ticket_id=ticket.id,
            customer_ids=[ticket.customer_id],
        )
    return ticket


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
    _on_timeline(
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
    _on_timeline(session, ticket, f"Ticket assigned to {who}", actor=actor, at=at)
    return ticket


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
    errors: dict[str, list[str]] = {}
    if kind not in MESSAGE_KINDS:
        errors["kind"] = ["Must be one of: " + ", ".join(MESSAGE_KINDS) + "."]
    if not isinstance(body, str) or not body.strip() or len(body) > 100_000:
        errors["body"] = ["Required, at most 100,000 characters."]
    if errors:
        raise ValidationFailed("the message is not valid", details=errors)
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
        _on_timeline(
            session, ticket, "Reply sent", actor=actor, body=body, direction="outbound", at=at
        )
    else:
        _on_timeline(session, ticket, "Internal note added", actor=actor, at=at)
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
    if not isinstance(body, str) or len(body) > 100_000:
        raise ValidationFailed(
            "the message is not valid", details={"body": ["At most 100,000 characters."]}
        )
    message = TicketMessage(ticket_id=ticket.id, kind=CUSTOMER_KIND, body=body, created_at=at)
    session.add(message)
    ticket.updated_at = at
    session.flush()
    _on_timeline(
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
