"""``crm service visits …``: return visits after resolution."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.sdk import get_host, utcnow
from crm_service import visits
from crm_service.cli.common import run
from crm_service.models import VISIT_OUTCOMES


@click.group("visits")
def visits_group() -> None:
    """Return visits (回访) after resolution."""


@visits_group.command("list")
@click.option("--all", "everything", is_flag=True, help="Pending visits not yet due too.")
@with_appcontext
def list_visits(everything: bool) -> None:
    """Return visits not made yet, soonest first (due now unless --all)."""
    rows = visits.pending(get_host().session, now=None if everything else utcnow())
    for row in rows:
        click.echo(f"{row.id:<6} due {row.due_at:%Y-%m-%d %H:%M}  ticket #{row.ticket_id}")
    click.echo(f"{len(rows)} return visit(s).")


@visits_group.command("record")
@click.argument("visit_id", type=click.IntRange(1, 2**31 - 1))
@click.argument("outcome", type=click.Choice(VISIT_OUTCOMES))
@click.option("--note", help="What the customer said.")
@with_appcontext
def record_visit(visit_id: int, outcome: str, note: str | None) -> None:
    """Record what return visit VISIT_ID found."""
    run(lambda s: visits.record(s, visits.get_visit(s, visit_id), outcome=outcome, note=note))
    click.echo(f"Return visit {visit_id}: {outcome}.")
