"""``crm marketing analytics …``: lifetime value, the pyramid and win-back segments."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from crm_host.sdk import CrmError, fail, get_host
from crm_marketing import lifetime_value, rfm, segments, winback
from crm_marketing.cli import value_report


@click.group("analytics", cls=AppGroup)
def analytics_group() -> None:
    """Customer-value analytics."""


@analytics_group.command("clv")
@click.option("--currency", default=lifetime_value.DEFAULT_CURRENCY, show_default=True)
@click.option(
    "--horizon-days",
    type=click.IntRange(1, 3650),
    help="Days of expected value (MARKETING_VALUE_HORIZON_DAYS, else 365).",
)
@click.option(
    "--discount-rate",
    type=click.FloatRange(0, 10, max_open=True),
    help="Annual discount rate as a fraction (MARKETING_VALUE_DISCOUNT_RATE, else 0.10).",
)
@click.option(
    "--from-file",
    "path",
    type=click.Path(dir_okay=False),
    help="Fit a CSV instead (an RFM or CDNOW summary, or customer_id,date,amount); stores nothing.",
)
def clv(
    currency: str, horizon_days: int | None, discount_rate: float | None, path: str | None
) -> None:
    """Refit BG/NBD and Gamma-Gamma over every buyer and store each customer's value;
    compare BG/NBD with Pareto/NBD. With --from-file, fit a reference data set."""
    if path is not None:
        value_report.report_file(path)
        return
    session = get_host().session
    try:
        model = lifetime_value.refresh(session, currency.upper(), horizon_days, discount_rate)
    except CrmError as error:
        raise fail(error) from None
    session.commit()
    click.echo(
        f"{model.customers} customers ({model.repeat_buyers} bought again), "
        f"{model.currency}, {model.horizon_days}-day horizon"
    )
    click.echo(
        f"BG/NBD r={model.r:.4g} alpha={model.alpha:.4g} a={model.a:.4g} b={model.b:.4g} "
        f"log-likelihood={model.bgnbd_log_likelihood:.1f}"
    )
    if model.p is None:
        click.echo("Gamma-Gamma: too few repeat buyers; expected values left empty")
    else:
        click.echo(f"Gamma-Gamma p={model.p:.4g} q={model.q:.4g} v={model.v:.4g}")
    if model.comparison:
        value_report.echo_comparison(model.comparison)
    counts = lifetime_value.churn_counts(session)
    click.echo("churn risk: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@analytics_group.command("pyramid")
def pyramid() -> None:
    """Customers and spend per pyramid tier, then the loyalty–value matrix."""
    session = get_host().session
    for tier in rfm.pyramid(session):
        click.echo(f"{tier['tier']}\t{tier['customers']}\t{tier['monetary']}")
    for quadrant, customers in rfm.loyalty_value(session).items():
        click.echo(f"{quadrant}\t{customers}")


@analytics_group.command("win-back")
@click.option(
    "--risk",
    "risks",
    multiple=True,
    type=click.Choice(lifetime_value.CHURN_RISKS),
    help="Churn risks to include (medium and high unless given).",
)
@click.option("--name", help="The segment's name (Win-back <today> unless given).")
def win_back(risks: tuple[str, ...], name: str | None) -> None:
    """Create a segment of at-risk and lapsed customers, and say how many it holds."""
    session = get_host().session
    try:
        segment = winback.create_winback_segment(session, risks or winback.DEFAULT_RISKS, name)
        size = segments.count(session, segments.condition_for(session, segment))
    except CrmError as error:
        raise fail(error) from None
    session.commit()
    click.echo(f"segment {segment.id} {segment.name}: {size} customers")
