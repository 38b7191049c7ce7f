"""``crm service tickets …``: list, open and move tickets."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.sdk import get_host
from crm_service import tickets, workflow
from crm_service.cli.common import run
from crm_service.models import PRIORITIES, Ticket


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
    ticket = run(
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
    run(lambda s: tickets.transition(s, tickets.get_ticket(s, ticket_id), status))
    click.echo(f"Ticket #{ticket_id} is {status}.")
