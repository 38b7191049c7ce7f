"""``crm loyalty balance`` and ``crm loyalty award``: a customer's points from the shell."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.sdk import CrmError, get_host
from crm_loyalty import points


@click.command("balance")
@click.argument("customer_id", type=int)
@with_appcontext
def balance(customer_id: int) -> None:
    """Print a customer's points and movements, newest first."""
    session = get_host().session
    account = points.account_of(session, customer_id)
    if account is None:
        raise click.ClickException(f"customer {customer_id} has no loyalty account")
    click.echo(f"{account.balance} points")
    for movement in points.movements(session, account):
        click.echo(f"{movement.points:+d}\t{movement.reason}")


@click.command("award")
@click.argument("customer_id", type=int)
@click.argument("amount", type=int)
@click.option("--reason", required=True, help="Why (shown to staff, blanked on erasure).")
@with_appcontext
def award(customer_id: int, amount: int, reason: str) -> None:
    """Award AMOUNT points (a negative AMOUNT redeems them)."""
    session = get_host().session
    try:
        points.move(session, customer_id, amount, reason)
    except CrmError as error:
        raise click.ClickException(error.message) from error
    session.commit()
    click.echo(f"{amount:+d} points for customer {customer_id}.")
