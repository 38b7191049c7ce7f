"""``crm marketing campaigns …`` and ``crm marketing send``: draft, launch, cost, A/B
winner and statistics of campaigns, and sending one from the shell."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext

from crm_host.sdk import CrmError, fail, get_host
from crm_marketing import campaigns, variants
from crm_marketing.models import Campaign, Segment


@click.group("campaigns", cls=AppGroup)
def campaigns_group() -> None:
    """Campaigns."""


@campaigns_group.command("list")
def list_campaigns() -> None:
    """Every campaign: id, status, channel, sent, name."""
    session = get_host().session
    for campaign in session.scalars(sa.select(Campaign).order_by(Campaign.id)):
        sent = campaigns.statistics(session, campaign)["sent"]
        click.echo(f"{campaign.id}\t{campaign.status}\t{campaign.channel}\t{sent}\t{campaign.name}")


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
@click.option("--at", "scheduled_at", type=click.DateTime(), help="Send at (UTC), once launched.")
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
        sa.select(sa.func.count()).select_from(campaigns.recipients(session, campaign).subquery())
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


@click.command("send")
@with_appcontext
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
