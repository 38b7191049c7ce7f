"""``crm marketing …``: segments, RFM and campaigns from the shell."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.sdk import CrmError, fail, get_host
from crm_marketing import (
    campaigns,
    journeys,
    lifetime_value,
    rfm,
    segments,
    triggers,
    variants,
    winback,
)
from crm_marketing.models import Campaign, Journey, Segment
from crm_marketing.rules import compile_rules


def register(cli: AppGroup) -> None:
    """Add the marketing commands to the ``crm marketing`` group the host made."""

    @cli.group("segments")
    def segments_group() -> None:
        """Segments and static lists."""

    @segments_group.command("list")
    def list_segments() -> None:
        """Every segment: id, kind, current size, name."""
        session = get_host().session
        for segment in session.scalars(sa.select(Segment).order_by(Segment.id)):
            try:
                size = str(segments.count(session, segments.condition_for(session, segment)))
            except CrmError as error:
                size = f"invalid ({error.message})"
            click.echo(f"{segment.id}\t{segment.kind}\t{size}\t{segment.name}")

    @segments_group.command("preview")
    @click.argument("segment", required=False)
    @click.option("--rules", help="A rule tree as JSON, instead of a saved segment.")
    @click.option("--sample", default=10, show_default=True, type=click.IntRange(0, 1000))
    def preview(segment: str | None, rules: str | None, sample: int) -> None:
        """How many customers a segment (id or name) or a JSON rule tree holds, and who."""
        session = get_host().session
        try:
            if rules is not None:
                try:
                    tree = json.loads(rules)
                except ValueError as error:
                    raise click.ClickException(f"--rules is not JSON: {error}") from None
                condition = compile_rules(session, tree)
            elif segment is not None:
                found = session.scalar(
                    sa.select(Segment).where(
                        (Segment.id == int(segment))
                        if segment.isdigit()
                        else (Segment.name == segment)
                    )
                )
                if found is None:
                    raise click.ClickException(f"no segment {segment}")
                condition = segments.condition_for(session, found)
            else:
                raise click.UsageError("name a segment or give --rules")
            click.echo(f"{segments.count(session, condition)} customers")
            for customer in segments.sample(session, condition, sample):
                click.echo(f"{customer.id}\t{customer.code}\t{customer.name}")
        except CrmError as error:
            raise fail(error) from None

    @cli.group("rfm")
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

    @cli.group("analytics")
    def analytics_group() -> None:
        """Customer-value analytics."""

    @analytics_group.command("clv")
    @click.option("--currency", default=lifetime_value.DEFAULT_CURRENCY, show_default=True)
    @click.option(
        "--horizon-days",
        type=click.IntRange(1, 3650),
        help="Days of expected value (MARKETING_VALUE_HORIZON_DAYS, else 365).",
    )
    def clv(currency: str, horizon_days: int | None) -> None:
        """Refit BG/NBD and Gamma-Gamma over every buyer and store each customer's value."""
        session = get_host().session
        try:
            model = lifetime_value.refresh(session, currency.upper(), horizon_days)
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

    @cli.group("journeys")
    def journeys_group() -> None:
        """Journeys."""

    @journeys_group.command("list")
    def list_journeys() -> None:
        """Every journey: id, status, trigger, steps, customers in it, name."""
        session = get_host().session
        for journey in session.scalars(sa.select(Journey).order_by(Journey.id)):
            places = journeys.positions(session, journey)
            end = places[-1]
            inside = (
                sum(p["waiting"] for p in places) + end["done"] + end["exited"] + end["converted"]
            )
            if journey.trigger == "segment":
                trigger = f"segment {journey.segment_id}"
            elif journey.event_value is not None:
                trigger = f"{journey.event}={journey.event_value}"
            else:
                trigger = str(journey.event)
            click.echo(
                f"{journey.id}\t{journey.status}\t{trigger}\t{len(journey.steps)} steps\t"
                f"{inside}\t{journey.name}"
            )

    @journeys_group.command("events")
    def journey_events() -> None:
        """The events a journey may start from: name, publisher, what it lets you choose."""
        for trigger in triggers.available(get_host().session):
            choice = f"{trigger.option}: {', '.join(trigger.choices)}" if trigger.choices else ""
            click.echo(f"{trigger.event}\t{trigger.plugin or 'host'}\t{trigger.label}\t{choice}")

    @journeys_group.command("create")
    @click.argument("definition")
    def create_journey(definition: str) -> None:
        """Create a journey from JSON: name, trigger, segment_id or event (and event_value),
        steps, goal, status."""
        session = get_host().session
        try:
            data = json.loads(definition)
        except ValueError as error:
            raise click.ClickException(f"the journey is not JSON: {error}") from None
        if not isinstance(data, dict):
            raise click.ClickException("the journey is a JSON object")
        try:
            journey = journeys.create_journey(session, data)
        except CrmError as error:
            raise fail(error) from None
        session.commit()
        click.echo(f"journey {journey.id} {journey.status}: {journey.name}")

    @journeys_group.command("advance")
    def advance() -> None:
        """Run every active journey now: enrol, then move each due customer on."""
        session = get_host().session
        ran = 0
        for journey in session.scalars(
            sa.select(Journey).where(Journey.status == "active").order_by(Journey.id)
        ).all():
            while (moved := journeys.advance(session, journey)) > 0:
                ran += moved
                session.commit()
                if moved < journeys.BATCH:
                    break
        session.commit()
        click.echo(f"moved {ran} customers on")

    @cli.group("campaigns")
    def campaigns_group() -> None:
        """Campaigns."""

    @campaigns_group.command("list")
    def list_campaigns() -> None:
        """Every campaign: id, status, channel, sent, name."""
        session = get_host().session
        for campaign in session.scalars(sa.select(Campaign).order_by(Campaign.id)):
            sent = campaigns.statistics(session, campaign)["sent"]
            click.echo(
                f"{campaign.id}\t{campaign.status}\t{campaign.channel}\t{sent}\t{campaign.name}"
            )

    @campaigns_group.command("create")
    @click.argument("name")
    @click.option("--segment", "segment_name", required=True, help="The audience, by name.")
    @click.option("--channel", default="email", show_default=True)
    @click.option("--subject", default="", help="The subject line (email).")
    @click.option(
        "--body",
        "body_file",
        required=True,
        type=click.File("r", encoding="utf-8"),
        help="A file with the message template (- reads standard input).",
    )
    @click.option(
        "--at", "scheduled_at", type=click.DateTime(), help="Send at (UTC), once launched."
    )
    def create(
        name: str,
        segment_name: str,
        channel: str,
        subject: str,
        body_file: Any,
        scheduled_at: datetime | None,
    ) -> None:
        """Draft a campaign to a segment; ``launch`` or ``send`` it once checked."""
        session = get_host().session
        segment = session.scalar(sa.select(Segment).where(Segment.name == segment_name))
        if segment is None:
            raise click.ClickException(f"no segment named {segment_name!r}")
        data = {
            "name": name,
            "channel": channel,
            "segment_id": segment.id,
            "subject": subject,
            "body": body_file.read(),
            "scheduled_at": scheduled_at.replace(tzinfo=UTC) if scheduled_at else None,
        }
        try:
            campaign = campaigns.create_campaign(session, data)
        except CrmError as error:
            raise fail(error) from None
        session.commit()
        reach = session.scalar(
            sa.select(sa.func.count()).select_from(
                campaigns.recipients(session, campaign).subquery()
            )
        )
        click.echo(f"campaign {campaign.id} drafted; {reach} customers may be reached")

    @campaigns_group.command("launch")
    @click.argument("campaign_id", type=int)
    def launch(campaign_id: int) -> None:
        """Queue a draft campaign's send job (``crm worker`` sends it)."""
        session = get_host().session
        try:
            campaign = campaigns.launch(session, campaigns.get_campaign(session, campaign_id))
        except CrmError as error:
            raise fail(error) from None
        session.commit()
        click.echo(f"campaign {campaign.id} {campaign.status}: job {campaign.job_id}")

    @campaigns_group.command("cost")
    @click.argument("campaign_id", type=int)
    @click.argument("amount")
    @click.argument("currency")
    def set_cost(campaign_id: int, amount: str, currency: str) -> None:
        """Enter or correct what a campaign cost (also after it was sent): 1200.00 CNY."""
        session = get_host().session
        try:
            campaign = campaigns.update_campaign(
                session,
                campaigns.get_campaign(session, campaign_id),
                {"cost": amount, "cost_currency": currency},
            )
        except CrmError as error:
            raise fail(error) from None
        session.commit()
        click.echo(f"campaign {campaign.id} cost {campaign.cost} {campaign.cost_currency}")

    @campaigns_group.command("winner")
    @click.argument("campaign_id", type=int)
    @click.option("--variant", type=click.Choice(variants.NAMES), help="The winner, by name.")
    @click.option(
        "--metric",
        type=click.Choice(variants.METRICS),
        default="converted",
        show_default=True,
        help="Without --variant, the leader by this metric wins.",
    )
    def winner(campaign_id: int, variant: str | None, metric: str) -> None:
        """End a finished A/B test: send the winner to the rest of the audience."""
        session = get_host().session
        try:
            campaign = campaigns.pick_winner(
                session,
                campaigns.get_campaign(session, campaign_id),
                variant=variant,
                metric=metric,
            )
        except CrmError as error:
            raise fail(error) from None
        session.commit()
        click.echo(
            f"campaign {campaign.id}: variant {campaign.winner} to the rest, job {campaign.job_id}"
        )

    @campaigns_group.command("stats")
    @click.argument("campaign_id", type=int)
    @click.option(
        "--metric",
        type=click.Choice(variants.METRICS),
        default="converted",
        show_default=True,
        help="What the A/B variants are compared by.",
    )
    def stats(campaign_id: int, metric: str) -> None:
        """Sends, duplicates, responses, revenue and ROI per currency, and each A/B variant."""
        session = get_host().session
        try:
            campaign = campaigns.get_campaign(session, campaign_id)
        except CrmError as error:
            raise fail(error) from None
        counts = campaigns.statistics(session, campaign)
        click.echo("\t".join(f"{kind} {n}" for kind, n in counts.items()))
        revenue = campaigns.attributed_revenue(session, campaign)
        for row in campaigns.roi(campaign, revenue):
            cost = "-" if row["cost"] is None else row["cost"]
            roi = "-" if row["roi"] is None else row["roi"]
            click.echo(f"{row['currency']}\trevenue {row['revenue']}\tcost {cost}\tROI {roi}")
        test = variants.results(session, campaign, metric=metric)
        for v in test["variants"]:
            rate = "-" if v[f"{metric}_rate"] is None else f"{v[f'{metric}_rate']:.1%}"
            click.echo(f"variant {v['name']}\t{v['weight']}%\tsent {v['sent']}\t{metric} {rate}")
        if test["variants"]:
            p = "-" if test["p_value"] is None else f"{test['p_value']:.4f}"
            verdict = "significant" if test["significant"] else "not significant"
            click.echo(f"leader {test['leader'] or '-'}\tp {p}\t{verdict}")

    @cli.command("send")
    @click.argument("campaign_id", type=int)
    def send(campaign_id: int) -> None:
        """Launch CAMPAIGN_ID if it is a draft and send it now, in this process.

        Runs the send jobs due on the host's own queue here, so a company without a
        ``crm worker`` can send from the shell; with Celery, the workers send it.
        """
        from flask import current_app

        from crm_host.sdk import Runner

        session = get_host().session
        try:
            campaign = campaigns.get_campaign(session, campaign_id)
            if campaign.status == "draft":
                campaigns.launch(session, campaign)
                session.commit()
        except CrmError as error:
            raise fail(error) from None
        if campaign.status == "scheduled":
            raise click.ClickException(
                f"campaign {campaign.id} is scheduled for {campaign.scheduled_at:%Y-%m-%d %H:%M} "
                "UTC: the worker sends it then"
            )
        if campaign.status != "sending":
            raise click.ClickException(f"campaign {campaign.id} is {campaign.status}")
        Runner(current_app._get_current_object()).run_due(names=[campaigns.SEND_JOB])
        session.expire_all()
        figures = campaigns.statistics(session, campaign)
        click.echo(
            f"campaign {campaign.id} {campaign.status}: {figures['sent']} sent, "
            f"{figures['duplicates']} duplicates skipped"
        )
