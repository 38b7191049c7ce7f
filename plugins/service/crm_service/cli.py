"""``crm service …``: tickets and SLA checks from the command line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from crm_host.sdk import CrmError, Department, User, ValidationFailed, attachments, get_host
from crm_service import (
    chain,
    escalation,
    mail,
    mailbox,
    mailfolder,
    portal,
    sla,
    surveys,
    tickets,
    visits,
    workflow,
)
from crm_service.models import PRIORITIES, VISIT_OUTCOMES, EscalationStep, SlaPolicy, Ticket


def _run(work: Callable[[Any], Any]) -> Any:
    """Run ``work(session)`` and commit; an expected error becomes a clean CLI error."""
    session = get_host().session
    try:
        result = work(session)
        session.commit()
        return result
    except CrmError as error:
        session.rollback()
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.details.items())
        raise click.ClickException(error.message + (f" ({details})" if details else "")) from None


def register(cli: click.Group) -> None:
    """Add the ``tickets`` and ``sla`` groups to the plugin's ``crm service`` group."""
    cli.add_command(tickets_group)
    cli.add_command(sla_group)
    cli.add_command(mail_group)
    cli.add_command(report)
    cli.add_command(visits_group)
    cli.add_command(portal_link)


@click.group("tickets")
def tickets_group() -> None:
    """Service tickets."""


@tickets_group.command("list")
@click.option("--status", type=click.Choice(workflow.STATUSES), help="Only this status.")
@click.option("--all", "everything", is_flag=True, help="Resolved and closed tickets too.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@with_appcontext
def list_tickets(status: str | None, everything: bool, limit: int) -> None:
    """List tickets, newest first (open ones unless --all or --status)."""
    query = sa.select(Ticket).order_by(Ticket.id.desc()).limit(limit)
    if status:
        query = query.where(Ticket.status == status)
    elif not everything:
        query = query.where(Ticket.status.in_(workflow.OPEN_STATUSES))
    for row in get_host().session.scalars(query):
        click.echo(
            f"#{row.id:<6} {row.status:<20} {row.priority:<7} "
            f"customer {row.customer_id:<7} {row.subject}"
        )


@tickets_group.command("open")
@click.argument("customer_id", type=click.IntRange(1, 2**31 - 1))
@click.argument("subject")
@click.option("--type", "ticket_type", default="inquiry", show_default=True)
@click.option("--description", default="")
@click.option("--priority", type=click.Choice(PRIORITIES), default="normal", show_default=True)
@click.option("--department", help="Code of the department whose queue takes it.")
@click.option("--sla-policy", help="Name of the SLA policy (default: best match).")
@click.option("--auto-assign", is_flag=True, help="Round robin to the queue's next agent.")
@with_appcontext
def open_ticket(
    customer_id: int,
    subject: str,
    ticket_type: str,
    description: str,
    priority: str,
    department: str | None,
    sla_policy: str | None,
    auto_assign: bool,
) -> None:
    """Open a ticket for CUSTOMER_ID."""
    ticket = _run(
        lambda session: tickets.open_ticket(
            session,
            customer_id=customer_id,
            ticket_type=ticket_type,
            subject=subject,
            description=description,
            priority=priority,
            department=department,
            sla_policy=sla_policy,
            source="cli",
            auto_assign=auto_assign,
        )
    )
    click.echo(f"Opened ticket #{ticket.id} ({ticket.status}).")


@tickets_group.command("move")
@click.argument("ticket_id", type=click.IntRange(1, 2**31 - 1))
@click.argument("status", type=click.Choice(workflow.STATUSES))
@with_appcontext
def move(ticket_id: int, status: str) -> None:
    """Move ticket TICKET_ID to STATUS along the status flow."""
    _run(lambda s: tickets.transition(s, tickets.get_ticket(s, ticket_id), status))
    click.echo(f"Ticket #{ticket_id} is {status}.")


@click.group("sla")
def sla_group() -> None:
    """SLA policies and breach checks."""


@sla_group.command("check")
@click.option(
    "--at",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
    help="Check as of this moment (with a UTC offset); default now.",
)
@with_appcontext
def check(at: datetime | None) -> None:
    """Mark breached ticket clocks and escalate (what the schedule runs every minute)."""
    handled, applied = _run(lambda session: escalation.check(session, at))
    for ticket_id, clock in handled:
        click.echo(f"Ticket #{ticket_id}: {clock} breached.")
    for ticket_id, step in applied:
        click.echo(f"Ticket #{ticket_id}: escalation step {step!r} applied.")
    if applied:
        click.echo(f"{len(handled)} breach(es) marked, {len(applied)} escalation step(s) applied.")
    else:
        click.echo(f"{len(handled)} breach(es) escalated.")


@sla_group.command("policies")
@with_appcontext
def policies() -> None:
    """List SLA policies."""
    for row in get_host().session.scalars(sa.select(SlaPolicy).order_by(SlaPolicy.name)):
        click.echo(
            f"{row.name:<24} priority {row.priority or 'any':<7} type {row.type_id or 'any':<4} "
            f"first response {row.first_response_minutes} min, resolution "
            f"{row.resolution_minutes} min, calendar {row.calendar}"
            + ("" if row.active else " (inactive)")
        )


@sla_group.command("add-policy")
@click.argument("name")
@click.option("--first-response", type=click.IntRange(1, sla.MAX_MINUTES), required=True)
@click.option("--resolution", type=click.IntRange(1, sla.MAX_MINUTES), required=True)
@click.option("--priority", type=click.Choice(PRIORITIES))
@click.option("--type", "ticket_type", help="A ticket type code.")
@click.option("--calendar", default="24x7", show_default=True)
@with_appcontext
def add_policy(
    name: str,
    first_response: int,
    resolution: int,
    priority: str | None,
    ticket_type: str | None,
    calendar: str,
) -> None:
    """Add SLA policy NAME (targets in working minutes of CALENDAR)."""

    def work(session: Any) -> SlaPolicy:
        type_id = tickets.type_by_code(session, ticket_type).id if ticket_type else None
        return sla.save_policy(
            session,
            {
                "name": name,
                "priority": priority,
                "type_id": type_id,
                "first_response_minutes": first_response,
                "resolution_minutes": resolution,
                "calendar": calendar,
            },
        )

    _run(work)
    click.echo(f"Saved SLA policy {name}.")


@click.group("mail")
def mail_group() -> None:
    """Email to ticket: a folder of .eml files or an IMAP mailbox."""


@mail_group.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--type", "ticket_type", default="inquiry", show_default=True)
@click.option("--department", help="Code of the department whose queue takes new tickets.")
@with_appcontext
def import_mail(folder: Path, ticket_type: str, department: str | None) -> None:
    """Turn the .eml files in FOLDER into tickets and replies.

    Imported files move to FOLDER/imported, files that cannot be imported to
    FOLDER/failed; each is listed with what became of it.
    """
    session = get_host().session
    try:
        report = mailfolder.import_folder(
            session,
            folder,
            storage=attachments.storage_for(current_app),
            ticket_type=ticket_type,
            department=department,
        )
    except mail.MailError as error:
        raise click.ClickException(error.message) from None
    for line in report.lines():
        click.echo(line)
    click.echo(f"{len(report.imported)} imported, {len(report.failed)} failed.")


@mail_group.command("poll")
@with_appcontext
def poll_mail() -> None:
    """Import the unseen mail of the SERVICE_IMAP_* mailbox once."""
    settings = mailbox.MailboxSettings.from_config(current_app.config)
    if settings is None:
        raise click.ClickException("no mailbox is configured (set SERVICE_IMAP_HOST)")
    try:
        report = mailbox.poll(
            get_host().session, settings, storage=attachments.storage_for(current_app)
        )
    except mail.MailError as error:
        raise click.ClickException(error.message) from None
    for line in report.lines():
        click.echo(line)
    click.echo(f"{len(report.imported)} imported, {len(report.failed)} failed.")


@click.command("report")
@click.option("--by", type=click.Choice(surveys.GROUPS), default="agent", show_default=True)
@with_appcontext
def report(by: str) -> None:
    """Satisfaction survey results by agent, queue or category."""
    rows = surveys.results(get_host().session, by)
    if not rows:
        click.echo("No survey has been answered yet.")
        return
    click.echo(f"{by:<24} {'answers':>7} {'CSAT':>5} {'satisfied%':>10} {'NPS':>5}")
    for row in rows:
        nps = "—" if row["nps"] is None else str(row["nps"])
        click.echo(
            f"{(row['label'] or '—')[:24]:<24} {row['answers']:>7} {row['csat']:>5.2f} "
            f"{row['satisfied_percent']:>10.1f} {nps:>5}"
        )


@sla_group.command("steps")
@with_appcontext
def steps() -> None:
    """List the escalation chain, soonest step first."""
    rows = (
        get_host()
        .session.scalars(
            sa.select(EscalationStep).order_by(EscalationStep.after_minutes, EscalationStep.id)
        )
        .all()
    )
    if not rows:
        click.echo("No escalation chain: a breach raises the priority once and notifies.")
    for row in rows:
        actions = [
            *(["raise priority"] if row.raise_priority else []),
            *([f"to queue {row.department_id}"] if row.department_id else []),
            *([f"to user {row.assignee_id}"] if row.assignee_id else []),
            *(["notify"] if row.notify else []),
        ]
        click.echo(
            f"{row.name:<24} after {row.after_minutes:>6} min overdue: {', '.join(actions)}"
            + ("" if row.active else " (inactive)")
        )


@sla_group.command("add-step")
@click.argument("name")
@click.option(
    "--after",
    "after_minutes",
    type=click.IntRange(0, sla.MAX_MINUTES),
    required=True,
    help="Minutes overdue before the step applies.",
)
@click.option("--raise-priority", is_flag=True, help="Raise the priority one step.")
@click.option("--queue", help="Code of the department whose queue takes the ticket.")
@click.option("--assignee", help="Username of who takes the ticket.")
@click.option("--notify/--no-notify", default=True, show_default=True)
@with_appcontext
def add_step(
    name: str,
    after_minutes: int,
    raise_priority: bool,
    queue: str | None,
    assignee: str | None,
    notify: bool,
) -> None:
    """Add escalation step NAME to the chain."""

    def work(session: Any) -> Any:
        data: dict[str, Any] = {
            "name": name,
            "after_minutes": after_minutes,
            "raise_priority": raise_priority,
            "notify": notify,
        }
        if queue:
            department = session.scalar(sa.select(Department).where(Department.code == queue))
            if department is None:
                raise ValidationFailed(
                    f"no department {queue!r}", details={"queue": ["Unknown department."]}
                )
            data["department_id"] = department.id
        if assignee:
            user = session.scalar(sa.select(User).where(User.username == assignee))
            if user is None:
                raise ValidationFailed(
                    f"no user {assignee!r}", details={"assignee": ["Unknown user."]}
                )
            data["assignee_id"] = user.id
        return chain.save_step(session, data)

    _run(work)
    click.echo(f"Saved escalation step {name}.")


@click.group("visits")
def visits_group() -> None:
    """Return visits (回访) after resolution."""


@visits_group.command("list")
@click.option("--all", "everything", is_flag=True, help="Pending visits not yet due too.")
@with_appcontext
def list_visits(everything: bool) -> None:
    """Return visits not made yet, soonest first (due now unless --all)."""
    from crm_host.sdk import utcnow

    rows = visits.pending(get_host().session, now=None if everything else utcnow())
    for row in rows:
        click.echo(f"{row.id:<6} due {row.due_at:%Y-%m-%d %H:%M}  ticket #{row.ticket_id}")
    click.echo(f"{len(rows)} return visit(s).")


@visits_group.command("record")
@click.argument("visit_id", type=click.IntRange(1, 2**31 - 1))
@click.argument("outcome", type=click.Choice(VISIT_OUTCOMES))
@click.option("--note", help="What the customer said.")
@with_appcontext
def record_visit(visit_id: int, outcome: str, note: str | None) -> None:
    """Record what return visit VISIT_ID found."""
    _run(lambda s: visits.record(s, visits.get_visit(s, visit_id), outcome=outcome, note=note))
    click.echo(f"Return visit {visit_id}: {outcome}.")


@click.command("portal-link")
@click.argument("customer_id", type=click.IntRange(1, 2**31 - 1))
@click.option(
    "--ticket",
    "ticket_id",
    type=click.IntRange(1, 2**31 - 1),
    help="A link to follow this ticket of the customer's instead.",
)
@with_appcontext
def portal_link(customer_id: int, ticket_id: int | None) -> None:
    """Print a signed portal link for CUSTOMER_ID (90 days)."""
    from crm_host.sdk import Customer

    session = get_host().session
    if session.get(Customer, customer_id) is None:
        raise click.ClickException(f"no customer with id {customer_id}")
    if ticket_id is None:
        click.echo(portal.customer_link(customer_id))
        return
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.customer_id != customer_id:
        raise click.ClickException(f"customer {customer_id} has no ticket #{ticket_id}")
    click.echo(portal.ticket_link(ticket_id))
