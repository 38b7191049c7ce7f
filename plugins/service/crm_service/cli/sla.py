"""``crm service sla …``: SLA policies and the breach check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.sdk import get_host
from crm_service import escalation, sla, tickets
from crm_service.cli.common import run
from crm_service.cli.escalation import add_step, steps
from crm_service.models import PRIORITIES, SlaPolicy


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
    handled, applied = run(lambda session: escalation.check(session, at))
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

    run(work)
    click.echo(f"Saved SLA policy {name}.")


sla_group.add_command(steps)
sla_group.add_command(add_step)
