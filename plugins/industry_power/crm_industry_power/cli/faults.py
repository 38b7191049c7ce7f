"""``crm power report-fault`` and ``crm power arrive``: faults and the crew's arrival."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from crm_host.sdk import CrmError, fail, get_host
from crm_industry_power import faults
from crm_industry_power.cli.common import account_by_number
from crm_industry_power.models import AREAS
from crm_industry_power.zones import company_timezone


@click.command("report-fault")
@click.argument("account_number")
@click.argument("description")
@click.option("--phone", default=None, help="Who to call back.")
@click.option(
    "--area",
    type=click.Choice(AREAS),
    default="urban",
    show_default=True,
    help="Sets how soon a crew must be on site.",
)
@with_appcontext
def report_fault(account_number: str, description: str, phone: str | None, area: str) -> None:
    """Report a fault at ACCOUNT_NUMBER's service point (a ticket when service is installed)."""
    session = get_host().session
    account = account_by_number(account_number)
    try:
        fault = faults.report_fault(
            session,
            account,
            {"description": description, "contact_phone": phone, "area": area},
            settings=current_app.config,
        )
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from None
    due = faults.arrival(session, fault)["due_at"]
    if fault.ticket_id is not None:
        click.echo(f"fault {fault.id} reported; service ticket #{fault.ticket_id}")
    else:
        click.echo(f"fault {fault.id} recorded (the service plugin is not installed)")
    click.echo(f"a crew is due on site by {due.astimezone(company_timezone()):%Y-%m-%d %H:%M}")


@click.command("arrive")
@click.argument("fault_id", type=click.IntRange(1, 2**31 - 1))
@with_appcontext
def arrive(fault_id: int) -> None:
    """The crew checked in at FAULT_ID: stop its arrival clock."""
    session = get_host().session
    try:
        fault = faults.check_in(session, faults.get_fault(session, fault_id))
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from None
    state = faults.arrival(session, fault)
    click.echo(f"fault {fault_id}: crew on site, {'late' if state['breached'] else 'in time'}")
