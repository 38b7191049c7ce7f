"""``crm power guarantees …``: define the published commitments, start one for a
customer, mark it met, list what is owed and run the breach check by hand."""

from __future__ import annotations

from datetime import datetime

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.sdk import CrmError, Customer, fail, get_host
from crm_industry_power import guarantees
from crm_industry_power.models import GUARANTEE_KINDS, GUARANTEE_UNITS, Account, GuaranteeType
from crm_industry_power.zones import company_timezone


def _instant(value: str | None, option: str) -> datetime | None:
    """An ISO date and time; without an offset it is in the company's timezone."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date and time", param_hint=option) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=company_timezone())


def _local(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(company_timezone()):%Y-%m-%d %H:%M}"


@click.group("guarantees", cls=AppGroup)
def group() -> None:
    """Service guarantees: commitments, their deadlines and the credits owed."""


@group.command("types")
def types_command() -> None:
    """The guarantee types."""
    for row in get_host().session.scalars(sa.select(GuaranteeType).order_by("code")):
        click.echo(
            f"{row.code}\t{row.kind} {row.target_value} {row.target_unit}\t"
            f"calendar {row.calendar}\tcredit {row.credit_amount} {row.currency}\t{row.name}"
        )


@group.command("add-type")
@click.argument("code")
@click.argument("name")
@click.option("--kind", type=click.Choice(GUARANTEE_KINDS), default="within")
@click.option("--target", type=click.IntRange(0, 100_000), required=True)
@click.option("--unit", type=click.Choice(GUARANTEE_UNITS), required=True)
@click.option("--calendar", default="24x7", show_default=True)
@click.option("--credit", required=True, help="Owed to the customer on a breach.")
@click.option("--currency", default="CNY", show_default=True)
def add_type(
    code: str,
    name: str,
    kind: str,
    target: int,
    unit: str,
    calendar: str,
    credit: str,
    currency: str,
) -> None:
    """Define guarantee type CODE (e.g. billing_query, 3 working_days, credit 20)."""
    session = get_host().session
    try:
        row = guarantees.save_type(
            session,
            {
                "code": code,
                "name": name,
                "kind": kind,
                "target_value": target,
                "target_unit": unit,
                "calendar": calendar,
                "credit_amount": credit,
                "currency": currency,
            },
        )
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from None
    click.echo(f"guarantee type {row.code} defined")


@group.command("start")
@click.argument("type_code")
@click.option("--account", "account_number", default=None, help="The account it concerns.")
@click.option("--customer", "customer_code", default=None, help="The customer's code.")
@click.option("--reference", default="", help="The event: a fault, a query, an outage.")
@click.option("--started", default=None, help="When it started (default: now).")
@click.option("--event", default=None, help="The event a lead counts back from.")
def start_command(
    type_code: str,
    account_number: str | None,
    customer_code: str | None,
    reference: str,
    started: str | None,
    event: str | None,
) -> None:
    """Start a TYPE_CODE guarantee for an account's or a customer's event."""
    session = get_host().session
    data: dict = {
        "type": type_code,
        "reference": reference,
        "started_at": _instant(started, "--started"),
        "event_at": _instant(event, "--event"),
    }
    if account_number:
        data["account_id"] = session.scalar(
            sa.select(Account.id).where(Account.number == account_number)
        )
        if data["account_id"] is None:
            raise click.ClickException(f"no account {account_number}")
    if customer_code:
        data["customer_id"] = session.scalar(
            sa.select(Customer.id).where(Customer.code == customer_code)
        )
        if data["customer_id"] is None:
            raise click.ClickException(f"no customer {customer_code}")
    try:
        row = guarantees.start(session, data)
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from None
    click.echo(f"guarantee {row.id} due {_local(row.due_at)}")


@group.command("met")
@click.argument("guarantee_id", type=click.IntRange(1, 2**31 - 1))
def met_command(guarantee_id: int) -> None:
    """The commitment of GUARANTEE_ID was kept now."""
    session = get_host().session
    try:
        row = guarantees.met(session, guarantees.get(session, guarantee_id))
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from None
    late = row.met_at > row.due_at
    click.echo(f"guarantee {row.id} met {'late' if late else 'in time'}")


@group.command("list")
@click.option("--breached", is_flag=True, help="Only those missed, with the credit owed.")
def list_command(breached: bool) -> None:
    """Guarantees, soonest due first."""
    session = get_host().session
    codes = dict(session.execute(sa.select(GuaranteeType.id, GuaranteeType.code)).all())
    rows = guarantees.listing(session, breached=True if breached else None, limit=10_000)
    for row in rows:
        owed = f"credit {row.credit_owed} {row.currency}" if row.credit_owed else ""
        click.echo(
            f"{row.id}\t{codes[row.type_id]}\tdue {_local(row.due_at)}\t"
            f"met {_local(row.met_at)}\t{owed}".rstrip()
        )
    if not rows:
        click.echo("no guarantees")


@group.command("check")
def check_command() -> None:
    """Mark missed guarantees now (the schedule does this every minute); safe to repeat."""
    session = get_host().session
    marked = guarantees.check_breaches(session)
    session.commit()
    click.echo(f"{len(marked)} guarantee(s) newly breached")
