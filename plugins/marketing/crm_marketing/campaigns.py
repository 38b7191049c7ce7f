"""Campaigns: drafted, checked, launched onto the host's job queue, cancelled, and an
A/B test ended by its winner."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crm_host.sdk import (
    Conflict,
    NotFound,
    User,
    ValidationFailed,
    audit,
    enqueue,
    utcnow,
)
from crm_host.sdk import validation as check
from crm_marketing import channels, templates_engine, variants

# Who a campaign reaches and what it achieved live in their own modules; their names
# stay importable from here, where callers have always found them.
from crm_marketing.attribution import ATTRIBUTION_WINDOW as ATTRIBUTION_WINDOW
from crm_marketing.attribution import attributed_revenue as attributed_revenue
from crm_marketing.attribution import attribution_end as attribution_end
from crm_marketing.attribution import buyers as buyers
from crm_marketing.attribution import roi as roi
from crm_marketing.attribution import statistics as statistics
from crm_marketing.audience import address_column as address_column
from crm_marketing.audience import consented as consented
from crm_marketing.audience import frequency_cap as frequency_cap
from crm_marketing.audience import recipients
from crm_marketing.audience import under_cap as under_cap
from crm_marketing.models import Campaign, Segment

PLUGIN = "marketing"
SEND_JOB = "marketing.send_campaign"
EDITABLE = ("name", "channel", "segment_id", "subject", "body", "scheduled_at", "test_share")
#: What may change after launch too: costs arrive with the invoices, weeks later.
COST_FIELDS = ("cost", "cost_currency")


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    """The campaign, or :class:`NotFound`."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}")
    return campaign


def _check(session: Session, data: dict[str, Any], campaign: Campaign | None) -> dict[str, Any]:
    """Every rule of a campaign at once; the cost fields given, cleaned."""
    errors: dict[str, list[str]] = {}
    check.text(
        data.get("name", campaign.name if campaign else None),
        "name",
        errors,
        max_length=200,
        required=True,
    )
    channel = data.get("channel", campaign.channel if campaign else None)
    offered = channels.available(session)
    if channel not in offered:
        # Plugins offer channels: the list is this installation's, not a fixed one.
        errors["channel"] = ["Must be one of: " + ", ".join(sorted(offered)) + "."]
    segment_id = data.get("segment_id", campaign.segment_id if campaign else None)
    if segment_id is None or session.get(Segment, segment_id) is None:
        errors["segment_id"] = [f"No segment {segment_id}."]
    subject = data.get("subject", campaign.subject if campaign else "") or ""
    if channel in offered and offered[channel].subject and not subject.strip():
        errors["subject"] = [
            "An email needs a subject."
            if channel == "email"
            else f"A message on {channel} needs a subject."
        ]
    check.text(subject, "subject", errors, max_length=300)
    body = data.get("body", campaign.body if campaign else None)
    check.text(body, "body", errors, max_length=50_000, required=True, multiline=True)
    costs = _costs(data, campaign, errors)
    share = data.get("test_share", campaign.test_share if campaign else None)
    if share is not None and (
        isinstance(share, bool) or not isinstance(share, int) or not 1 <= share <= 99
    ):
        errors["test_share"] = ["A whole percentage from 1 to 99, or none."]
    check.fail_if(errors, "the campaign is not valid")
    templates_engine.check(subject, "subject")
    templates_engine.check(body, "body")
    return costs


def _check_test(campaign: Campaign, cleaned: list[Any], share: Any = ...) -> None:
    share = campaign.test_share if share is ... else share
    if share is not None and not cleaned:
        raise ValidationFailed(
            "the campaign is not valid",
            details={"test_share": ["A test share needs A/B variants to test."]},
        )


def _with_subject(session: Session, channel: Any) -> bool:
    offered = channels.available(session)
    return channel in offered and offered[channel].subject


#: The largest cost a Numeric(18, 2) column holds.
MAX_COST = Decimal("9999999999999999.99")


def _costs(data: dict[str, Any], campaign: Campaign | None, errors: check.Errors) -> dict[str, Any]:
    """The cost and its currency as they will be stored, of those ``data`` gives."""
    cost = data.get("cost", campaign.cost if campaign else None)
    currency = data.get("cost_currency", campaign.cost_currency if campaign else None)
    cleaned = {
        "cost": check.money(cost, "cost", errors, required=False, maximum=MAX_COST),
        "cost_currency": check.currency(currency, "cost_currency", errors, required=False),
    }
    if (cost is None) != (currency is None):
        errors["cost_currency" if currency is None else "cost"] = [
            "A cost and its currency go together."
        ]
    return {key: value for key, value in cleaned.items() if key in data}


def create_campaign(
    session: Session, data: dict[str, Any], *, actor: User | None = None
) -> Campaign:
    """Draft a campaign; audited."""
    costs = _check(session, data, None)
    cleaned = variants.check(data.get("variants"), _with_subject(session, data.get("channel")))
    campaign = Campaign(
        **{k: data.get(k) for k in EDITABLE if k != "subject"},
        subject=data.get("subject") or "",
        cost=costs.get("cost"),
        cost_currency=costs.get("cost_currency"),
        status="draft",
        created_by_id=actor.id if actor else None,
    )
    _check_test(campaign, cleaned)
    session.add(campaign)
    session.flush()
    variants.replace(session, campaign, cleaned)
    audit.record(
        session,
        "create",
        "marketing.campaign",
        campaign.id,
        after=_snapshot(campaign, session),
        actor=actor,
        plugin=PLUGIN,
    )
    return campaign


def update_campaign(
    session: Session, campaign: Campaign, data: dict[str, Any], *, actor: User | None = None
) -> Campaign:
    """Change a draft; a launched campaign is history and stays as sent, except for
    its cost, which may be entered or corrected at any time."""
    message = [k for k in data if k not in COST_FIELDS]
    if campaign.status != "draft" and message:
        raise Conflict(
            "only a draft campaign can be changed",
            details={
                **{k: ["Only the cost changes after launch."] for k in message},
                "status": [f"The campaign is {campaign.status}."],
            },
        )
    costs = _check(session, data, campaign)
    cleaned = None
    if "variants" in data:
        channel = data.get("channel", campaign.channel)
        cleaned = variants.check(data["variants"], _with_subject(session, channel))
    elif "channel" in data:
        # An email variant needs a subject an SMS one did not.
        variants.check(
            variants.snapshot(session, campaign.id) or None,
            _with_subject(session, data["channel"]),
        )
    _check_test(
        campaign,
        cleaned if cleaned is not None else variants.snapshot(session, campaign.id),
        data.get("test_share", campaign.test_share),
    )
    before = _snapshot(campaign, session)
    for key in EDITABLE + COST_FIELDS:
        if key in data:
            value = data[key]
            if key == "subject":
                value = value or ""
            elif key in costs:
                value = costs[key]
            setattr(campaign, key, value)
    if cleaned is not None:
        variants.replace(session, campaign, cleaned)
    session.flush()
    audit.record(
        session,
        "update",
        "marketing.campaign",
        campaign.id,
        before=before,
        after=_snapshot(campaign, session),
        actor=actor,
        plugin=PLUGIN,
    )
    return campaign


def delete_campaign(session: Session, campaign: Campaign, *, actor: User | None = None) -> None:
    """Delete a draft (a launched campaign keeps its sends: cancel it instead)."""
    if campaign.status != "draft":
        raise Conflict(
            "only a draft campaign can be deleted",
            details={"status": [f"The campaign is {campaign.status}; cancel it instead."]},
        )
    audit.record(
        session,
        "delete",
        "marketing.campaign",
        campaign.id,
        before=_snapshot(campaign, session),
        actor=actor,
        plugin=PLUGIN,
    )
    session.delete(campaign)
    session.flush()


def launch(
    session: Session, campaign: Campaign, *, actor: User | None = None, now: datetime | None = None
) -> Campaign:
    """Queue the campaign's send job (at ``scheduled_at`` when that is in the future).

    The job's idempotency key is the campaign: launching twice queues one job.
    """
    if campaign.status != "draft":
        raise Conflict(
            "the campaign was launched already",
            details={"status": [f"The campaign is {campaign.status}."]},
        )
    _check(session, {}, campaign)
    # Compile the audience now: rules that stopped making sense (a plugin offering a
    # criterion was uninstalled) are refused here, not by a job failing in the night.
    recipients(session, campaign)
    now = now or utcnow()
    later = campaign.scheduled_at is not None and campaign.scheduled_at > now
    campaign.status = "scheduled" if later else "sending"
    campaign.launched_at = now
    campaign.job_id = enqueue(
        session,
        SEND_JOB,
        {"campaign_id": campaign.id},
        key=f"{SEND_JOB}:{campaign.id}",
        run_after=campaign.scheduled_at if later else None,
    )
    session.flush()
    audit.record(
        session,
        "launch",
        "marketing.campaign",
        campaign.id,
        after={"status": campaign.status, "job_id": campaign.job_id},
        actor=actor,
        plugin=PLUGIN,
    )
    return campaign


def cancel(session: Session, campaign: Campaign, *, actor: User | None = None) -> Campaign:
    """Stop a scheduled or sending campaign: the next batch sees it and ends the job."""
    if campaign.status not in ("draft", "scheduled", "sending", "tested"):
        raise Conflict(
            "the campaign is finished", details={"status": [f"The campaign is {campaign.status}."]}
        )
    before = campaign.status
    campaign.status = "cancelled"
    campaign.finished_at = utcnow()
    session.flush()
    audit.record(
        session,
        "cancel",
        "marketing.campaign",
        campaign.id,
        before={"status": before},
        after={"status": "cancelled"},
        actor=actor,
        plugin=PLUGIN,
    )
    return campaign


def pick_winner(
    session: Session,
    campaign: Campaign,
    *,
    variant: str | None = None,
    metric: str = "converted",
    actor: User | None = None,
) -> Campaign:
    """End a test: the named variant, or the leader by ``metric``, goes to the rest of
    the audience, on a send job of its own. Only a ``tested`` campaign has a winner to
    pick; with no leader (a tie, no responses yet) one must be named."""
    if campaign.status != "tested":
        raise Conflict(
            "the campaign has no finished test",
            details={"status": [f"The campaign is {campaign.status}."]},
        )
    names = [v.name for v in variants.of_campaign(session, campaign.id)]
    if variant is None:
        variant = variants.results(session, campaign, metric=metric)["leader"]
        if variant is None:
            raise Conflict(
                "no variant leads",
                details={"variant": [f"No variant leads by {metric}: name the winner."]},
            )
    if variant not in names:
        raise ValidationFailed(
            "unknown variant", details={"variant": ["One of: " + ", ".join(names) + "."]}
        )
    campaign.winner = variant
    campaign.status = "sending"
    campaign.job_id = enqueue(
        session, SEND_JOB, {"campaign_id": campaign.id}, key=f"{SEND_JOB}:{campaign.id}:winner"
    )
    session.flush()
    audit.record(
        session,
        "pick_winner",
        "marketing.campaign",
        campaign.id,
        after={"winner": variant, "job_id": campaign.job_id},
        actor=actor,
        plugin=PLUGIN,
    )
    return campaign


def _snapshot(campaign: Campaign, session: Session) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "channel": campaign.channel,
        "segment_id": campaign.segment_id,
        "subject": campaign.subject,
        "status": campaign.status,
        "scheduled_at": campaign.scheduled_at.isoformat() if campaign.scheduled_at else None,
        "cost": str(campaign.cost) if campaign.cost is not None else None,
        "cost_currency": campaign.cost_currency,
        "test_share": campaign.test_share,
        "variants": [
            {"name": v["name"], "weight": v["weight"]}
            for v in variants.snapshot(session, campaign.id)
        ],
    }
