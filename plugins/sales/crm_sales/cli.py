"""``crm sales …``: leads, the pipeline, the forecast and lead-scoring rules from the shell."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.errors import CrmError
from crm_host.host import get_host
from crm_sales import crosssell, forecast, performance, pipeline, scoring
from crm_sales.models import Lead, Product, ScoringRule


def _fail(error: CrmError) -> click.ClickException:
    lines = [error.message]
    lines += [f"  {field}: {' '.join(problems)}" for field, problems in error.details.items()]
    return click.ClickException("\n".join(lines))


def register(cli: AppGroup) -> None:
    """Add the sales commands to the ``crm sales`` group the host made."""

    @cli.group("leads")
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

    @cli.command("pipeline")
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

    @cli.command("stages")
    def stages_command() -> None:
        """The pipeline stages in board order: code, probability, name, and won/lost."""
        for stage in pipeline.stages(get_host().session):
            closes = "won" if stage.is_won else "lost" if stage.is_lost else "open"
            click.echo(f"{stage.code}\t{stage.probability}%\t{stage.name}\t{closes}")

    @cli.command("forecast")
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

    @cli.command("funnel")
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

    @cli.command("rules")
    @click.option(
        "--min-support", default=0.01, show_default=True, type=click.FloatRange(0.0001, 1)
    )
    @click.option("--min-confidence", default=0.3, show_default=True, type=click.FloatRange(0, 1))
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
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
            click.echo(
                f"{left} => {right}\t{rule.support:.4f}\t{rule.confidence:.4f}\t{rule.lift:.4f}"
            )

    @cli.group("scoring")
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
            raise _fail(error) from error
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
