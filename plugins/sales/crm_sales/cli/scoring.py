"""``crm sales scoring …``: the lead-scoring rules."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from crm_host.sdk import CrmError, fail, get_host
from crm_sales import scoring
from crm_sales.models import ScoringRule


@click.group("scoring", cls=AppGroup)
def scoring_group() -> None:
    """Lead-scoring rules."""


@scoring_group.command("list")
def list_rules() -> None:
    """The active rules: id, field, operator, value, points."""
    for rule in scoring.active_rules(get_host().session):
        click.echo(f"{rule.id}\t{rule.field}\t{rule.operator}\t{rule.value}\t{rule.points}")


@scoring_group.command("add")
@click.argument("field", type=click.Choice(scoring.FIELDS))
@click.argument("operator", type=click.Choice(scoring.OPERATORS))
@click.argument("points", type=int)
@click.option("--value", default="", help="What the field is compared with.")
def add_rule(field: str, operator: str, points: int, value: str) -> None:
    """Add a rule: leads whose FIELD matches get POINTS; existing leads are rescored."""
    session = get_host().session
    try:
        rule = scoring.add_rule(
            session, {"field": field, "operator": operator, "value": value, "points": points}
        )
        changed = scoring.rescore_all(session)
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from error
    click.echo(f"rule {rule.id} added; {changed} leads rescored")


@scoring_group.command("remove")
@click.argument("rule_id", type=int)
def remove_rule(rule_id: int) -> None:
    """Switch a rule off (kept for the record); existing leads are rescored."""
    session = get_host().session
    rule = session.get(ScoringRule, rule_id)
    if rule is None:
        raise click.ClickException(f"no scoring rule with id {rule_id}")
    rule.active = False
    changed = scoring.rescore_all(session)
    session.commit()
    click.echo(f"rule {rule_id} switched off; {changed} leads rescored")
