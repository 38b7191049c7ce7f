"""``crm customers …``: merge (and the data commands that join it)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.cli.common import host
from crm_host.customers.merge import merge_customers
from crm_host.errors import CrmError
from crm_host.models import Customer


@click.group("customers")
def group() -> None:
    """Customers: merge duplicates, import, export."""


def _by_code(session: sa.orm.Session, code: str) -> Customer:
    customer = session.scalar(sa.select(Customer).where(Customer.code == code))
    if customer is None:
        raise click.ClickException(f"no customer with code {code!r}")
    return customer


@group.command("merge")
@click.argument("survivor")
@click.argument("merged")
@with_appcontext
def merge(survivor: str, merged: str) -> None:
    """Merge customer MERGED into SURVIVOR (codes); SURVIVOR is kept."""
    session = host().session
    try:
        kept = merge_customers(session, _by_code(session, survivor), _by_code(session, merged))
        session.commit()
    except CrmError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"Merged {merged} into {kept.code}.")
