"""``crm sales rules``: the cross-sell rules mined from the orders."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.sdk import get_host
from crm_sales import crosssell
from crm_sales.models import Product


@click.command("rules")
@click.option("--min-support", default=0.01, show_default=True, type=click.FloatRange(0.0001, 1))
@click.option("--min-confidence", default=0.3, show_default=True, type=click.FloatRange(0, 1))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def rules_command(min_support: float, min_confidence: float, limit: int) -> None:
    """Cross-sell rules from the orders: antecedent => consequent, support, confidence, lift."""
    session = get_host().session
    codes = dict(session.execute(sa.select(Product.id, Product.code)).all())
    mined = crosssell.mine(session, min_support, min_confidence)
    if not mined:
        click.echo("no rules at these thresholds")
    for rule in mined[:limit]:
        left = ",".join(sorted(codes[i] for i in rule.antecedent))
        right = ",".join(sorted(codes[i] for i in rule.consequent))
        click.echo(f"{left} => {right}\t{rule.support:.4f}\t{rule.confidence:.4f}\t{rule.lift:.4f}")
