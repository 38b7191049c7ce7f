"""``crm marketing rfm …``: recompute RFM scores and print the grid."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from crm_host.sdk import get_host
from crm_marketing import rfm


@click.group("rfm", cls=AppGroup)
def rfm_group() -> None:
    """RFM scores."""


@rfm_group.command("refresh")
@click.option("--currency", default=rfm.DEFAULT_CURRENCY, show_default=True)
def refresh(currency: str) -> None:
    """Recompute every customer's scores now, from the transactions of every plugin."""
    session = get_host().session
    buyers = rfm.refresh(session, currency.upper())
    session.commit()
    click.echo(f"scored {buyers} customers ({currency.upper()})")


@rfm_group.command("grid")
def grid() -> None:
    """Customers per recency (rows, 5 at the top) and frequency (columns, 1–5)."""
    counts = rfm.grid(get_host().session)
    click.echo("R\\F\t1\t2\t3\t4\t5")
    for r in range(5, 0, -1):
        click.echo("\t".join([str(r), *(str(counts.get((r, f), 0)) for f in range(1, 6))]))
