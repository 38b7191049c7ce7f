"""``crm sales pipeline | stages | forecast | funnel``: the pipeline and its figures."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.sdk import get_host
from crm_sales import forecast, performance, pipeline


@click.command("pipeline")
@with_appcontext
def pipeline_command() -> None:
    """Open deals per stage: count, value and weighted value per currency."""
    for stage in forecast.pipeline_summary(get_host().session):
        values = (
            ", ".join(
                f"{stage.amounts[c]:.2f} {c} (weighted {stage.weighted[c]:.2f})"
                for c in sorted(stage.amounts)
            )
            or "-"
        )
        click.echo(f"{stage.code}\t{stage.probability}%\t{stage.count}\t{values}")


@click.command("stages")
@with_appcontext
def stages_command() -> None:
    """The pipeline stages in board order: code, probability, name, and won/lost."""
    for stage in pipeline.stages(get_host().session):
        closes = "won" if stage.is_won else "lost" if stage.is_lost else "open"
        click.echo(f"{stage.code}\t{stage.probability}%\t{stage.name}\t{closes}")


@click.command("forecast")
@with_appcontext
def forecast_command() -> None:
    """Weighted value of open deals by expected close month and currency."""
    rows = forecast.forecast(get_host().session)
    if not rows:
        click.echo("no open deals")
    for row in rows:
        click.echo(
            f"{row['month'] or 'no date'}\t{row['currency']}\t{row['count']}\t"
            f"{row['amount']:.2f}\t{row['weighted']:.2f}"
        )


@click.command("funnel")
@with_appcontext
def funnel_command() -> None:
    """Deals reaching each stage, the conversion from the step before, the win rate."""
    session = get_host().session
    for step in performance.funnel(session):
        share = f"{step.conversion:.2%}" if step.conversion is not None else "-"
        click.echo(f"{step.code}\t{step.reached}\t{share}")
    rate = performance.win_rate(session)
    days = performance.average_cycle_days(session)
    click.echo(f"win rate\t{rate:.2%}" if rate is not None else "win rate\t-")
    click.echo(f"average cycle\t{days} days" if days is not None else "average cycle\t-")
