"""``crm service report``: satisfaction survey results."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.sdk import get_host
from crm_service import surveys


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
