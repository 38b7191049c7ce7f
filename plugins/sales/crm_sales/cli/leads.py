"""``crm sales leads …``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.sdk import get_host
from crm_sales.models import Lead


@click.group("leads", cls=AppGroup)
def leads_group() -> None:
    """Leads."""


@leads_group.command("list")
@click.option("--status", help="Only leads with this status (new, qualified…).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def list_leads(status: str | None, limit: int) -> None:
    """List leads, newest first: id, status, score, name, company, source."""
    query = sa.select(Lead).order_by(Lead.id.desc()).limit(limit)
    if status:
        query = query.where(Lead.status == status)
    for lead in get_host().session.scalars(query):
        click.echo(
            "\t".join(
                [
                    str(lead.id),
                    lead.status.value,
                    str(lead.score),
                    lead.name,
                    lead.company or "-",
                    lead.source or "-",
                ]
            )
        )
