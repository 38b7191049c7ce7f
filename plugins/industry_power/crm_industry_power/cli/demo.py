"""``crm power demo``: demo accounts with synthetic load shapes of each category."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from crm_host.sdk import get_host
from crm_industry_power import demo
from crm_industry_power.cli.common import parse_day
from crm_industry_power.zones import company_timezone


@click.command("demo")
@click.option("--days", type=click.IntRange(1, 366), default=60, show_default=True)
@click.option("--last-day", default=None, help="YYYY-MM-DD (default: yesterday).")
@with_appcontext
def demo_command(days: int, last_day: str | None) -> None:
    """Attach demo accounts to customers and store DAYS days of 15-minute readings."""
    tz = company_timezone()
    last = parse_day(last_day) if last_day else parse_day(None) - timedelta(days=1)
    session = get_host().session
    result = demo.seed(session, last, days, tz)
    if result is None:
        raise click.ClickException("not enough customers without power accounts: crm demo first")
    session.commit()
    click.echo(
        f"{len(demo.ACCOUNTS)} demo accounts; {result.new} new, {result.changed} changed, "
        f"{result.unchanged} unchanged readings"
    )
