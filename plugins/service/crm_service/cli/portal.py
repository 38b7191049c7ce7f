"""``crm service portal-link``: signed portal links for a customer."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.sdk import Customer, get_host
from crm_service import portal
from crm_service.models import Ticket


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
