"""``crm power advice``, ``crm power bill`` and ``crm power classify``: recompute what
the schedule recomputes, for one account or all."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.sdk import CrmError, fail, get_host, utcnow
from crm_industry_power import advice, bills, classify
from crm_industry_power.cli.common import account_by_number, parse_day
from crm_industry_power.models import Account
from crm_industry_power.zones import company_timezone


@click.command("advice")
@click.argument("account_number", required=False)
@click.option("--last-day", default=None, help="End of the 30-day window (default: today).")
@with_appcontext
def advice_command(account_number: str | None, last_day: str | None) -> None:
    """Recompute and show advice for ACCOUNT_NUMBER (every account without one)."""
    session = get_host().session
    tz = company_timezone()
    last = parse_day(last_day)
    accounts = (
        [account_by_number(account_number)]
        if account_number
        else list(session.scalars(sa.select(Account).order_by(Account.number)))
    )
    shown = 0
    for account in accounts:
        for row in advice.refresh(session, account, last, tz):
            saving = f"{row.monthly_saving} {row.currency}/month" if row.monthly_saving else "-"
            click.echo(f"{account.number}\t{row.rule}\t{saving}\t{row.figures}")
            shown += 1
    session.commit()
    if not shown:
        click.echo("no advice")


@click.command("bill")
@click.argument("month")
@with_appcontext
def bill_command(month: str) -> None:
    """Compute every account's bill for MONTH (YYYY-MM)."""
    session = get_host().session
    try:
        written = bills.compute_all(session, bills.parse_month(month), company_timezone())
    except CrmError as error:
        raise fail(error) from None
    session.commit()
    click.echo(f"{written} bills computed for {month}")


@click.command("classify")
@with_appcontext
def classify_command() -> None:
    """Recompute every account's service level (key, important, ordinary)."""
    session = get_host().session
    tz = company_timezone()
    counts = classify.classify_all(session, utcnow().astimezone(tz).date(), tz)
    session.commit()
    click.echo(", ".join(f"{count} {level}" for level, count in counts.items()))
