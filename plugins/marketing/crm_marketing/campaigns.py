"""Campaigns: drafted, launched onto the host's job queue, cancelled; and who they reach."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Conflict,
    Consent,
    Customer,
    NotFound,
    User,
    ValidationFailed,
    audit,
    enqueue,
    utcnow,
)
from crm_host.sdk.customers import transactions
from crm_marketing import channels, segments, templates_engine, variants
from crm_marketing.models import Campaign, Segment, Send, SendResponse

PLUGIN = "marketing"
SEND_JOB = "marketing.send_campaign"
#: How long after a send a purchase counts for the campaign.
ATTRIBUTION_WINDOW = timedelta(days=30)
EDITABLE = ("name", "channel", "segment_id", "subject", "body", "scheduled_at", "test_share")
#: What may change after launch too: costs arrive with the invoices, weeks later.
COST_FIELDS = ("cost", "cost_currency")


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    """The campaign, or :class:`NotFound`."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}")
    return campaign


def consented(channel: str) -> sa.ColumnElement[bool]:
    """Customers whose newest consent decision for ``channel`` grants it.

    No decision means no consent: marketing needs an opt-in.
    """
    # An alias of its own, or the inner query would correlate to the outer consents.
    decision = sa.orm.aliased(Consent)
    newest = (
        sa.select(sa.func.max(decision.id))
        .where(decision.customer_id == Customer.id, decision.channel == channel)
        .correlate(Customer)
        .scalar_subquery()
    )
    return sa.exists().where(Consent.id == newest, Consent.granted == sa.true())


def address_column(channel: str, session: Session) -> sa.ColumnElement[str | None]:
    """Where a message of ``channel`` goes: the column the channel registered."""
    return channels.get(session, channel).address_column()


def frequency_cap() -> tuple[int, int] | None:
    """``(messages, days)`` from ``MARKETING_CAP_MESSAGES`` / ``MARKETING_CAP_DAYS``, or ``None``.

    At most that many marketing messages per customer and channel in that many days
    (7 unless set); unset, there is no cap.
    """
    if not has_app_context():
        return None
    messages = current_app.config.get("MARKETING_CAP_MESSAGES")
    if messages in (None, ""):
        return None
    return int(messages), int(current_app.config.get("MARKETING_CAP_DAYS") or 7)


def under_cap(channel: str, messages: int, days: int) -> sa.ColumnElement[bool]:
    """Customers sent fewer than ``messages`` on ``channel`` in the last ``days`` days."""
    since = utcnow() - timedelta(days=days)
    recent = (
        sa.select(sa.func.count())
        .select_from(Send)
        .join(Campaign, Campaign.id == Send.campaign_id)
        .where(
            Send.customer_id == Customer.id,
            Campaign.channel == channel,
            Send.sent_at >= since,
            # A duplicate's message went to another customer: it does not count here.
            Send.duplicate.is_(False),
        )
        .correlate(Customer)
        .scalar_subquery()
    )
    return recent < messages


def recipients(session: Session, campaign: Campaign) -> sa.Select[Any]:
    """Ids of the segment's active members who consent to the channel, have an address
    and are under the frequency cap (when one is set)."""
    segment = segments.get_segment(session, campaign.segment_id)
    channel = channels.get(session, campaign.channel)
    address = channel.address_column()
    query = segments.audience(segments.condition_for(session, segment)).where(
        consented(channel.consent), address.is_not(None), address != ""
    )
    cap = frequency_cap()
    if cap is not None:
        query = query.where(under_cap(campaign.channel, *cap))
    return query


def _check(session: Session, data: dict[str, Any], campaign: Campaign | None) -> None:
    errors: dict[str, list[str]] = {}
    name = data.get("name", campaign.name if campaign else None)
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors["name"] = ["Required, at most 200 characters."]
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
    if "\n" in subject or "\r" in subject:
        errors["subject"] = ["One line only."]
    body = data.get("body", campaign.body if campaign else None)
    if not isinstance(body, str) or not body.strip():
        errors["body"] = ["Required."]
    errors.update(_cost_errors(data, campaign))
    share = data.get("test_share", campaign.test_share if campaign else None)
    if share is not None and (
        isinstance(share, bool) or not isinstance(share, int) or not 1 <= share <= 99
    ):
        errors["test_share"] = ["A whole percentage from 1 to 99, or none."]
    if errors:
        raise ValidationFailed("the campaign is not valid", details=errors)
    templates_engine.check(subject, "subject")
    templates_engine.check(body, "body")


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


def _money(value: Any) -> Decimal | None:
    # Checked to two places by _cost_errors; stored as entered, shown as money.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _cost_errors(data: dict[str, Any], campaign: Campaign | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    cost = data.get("cost", campaign.cost if campaign else None)
    currency = data.get("cost_currency", campaign.cost_currency if campaign else None)
    if cost is not None:
        try:
            amount = Decimal(str(cost))
        except ArithmeticError:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e16"):
            errors["cost"] = ["A non-negative amount below 10^16."]
        elif amount != amount.quantize(Decimal("0.01")):
            errors["cost"] = ["At most two decimal places."]
    if (cost is None) != (currency is None):
        errors["cost_currency" if currency is None else "cost"] = [
            "A cost and its currency go together."
        ]
    if currency is not None and (
        not isinstance(currency, str)
        or len(currency) != 3
        or not currency.isalpha()
        or not currency.isupper()
    ):
        errors["cost_currency"] = ["A three-letter ISO 4217 code such as CNY."]
    return errors


def create_campaign(
    session: Session, data: dict[str, Any], *, actor: User | None = None
) -> Campaign:
    """Draft a campaign; audited."""
    _check(session, data, None)
    cleaned = variants.check(data.get("variants"), _with_subject(session, data.get("channel")))
    campaign = Campaign(
        **{k: data.get(k) for k in EDITABLE if k != "subject"},
        subject=data.get("subject") or "",
        cost=_money(data.get("cost")),
        cost_currency=data.get("cost_currency"),
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
    _check(session, data, campaign)
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
            elif key == "cost":
                value = _money(value)
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


def statistics(session: Session, campaign: Campaign) -> dict[str, int]:
    """Sends, skipped duplicates, and how many sends got each kind of response."""
    counts = dict(
        session.execute(
            sa.select(Send.duplicate, sa.func.count())
            .where(Send.campaign_id == campaign.id)
            .group_by(Send.duplicate)
        ).all()
    )
    rows = session.execute(
        sa.select(SendResponse.kind, sa.func.count())
        .join(Send, Send.id == SendResponse.send_id)
        .where(Send.campaign_id == campaign.id)
        .group_by(SendResponse.kind)
    )
    return {
        "sent": counts.get(False, 0),
        "duplicates": counts.get(True, 0),
        **{kind: n for kind, n in rows},
    }


def attribution_end(campaign: Campaign, *, window: timedelta = ATTRIBUTION_WINDOW) -> datetime:
    """Until when a purchase counts for the campaign: ``window`` after it finished."""
    return (campaign.finished_at or utcnow()) + window


def roi(campaign: Campaign, revenue: dict[str, Decimal]) -> list[dict[str, Any]]:
    """Revenue, cost and ROI, ``(revenue − cost) / cost``, per currency.

    The cost is in one currency; only revenue in that currency is set against it
    (converting would need a rate of the day nobody agreed on), so the other
    currencies show their revenue with neither cost nor ROI. No cost entered, or a
    cost of zero, gives no ROI.
    """
    currencies = sorted(
        set(revenue) | ({campaign.cost_currency} if campaign.cost_currency else set())
    )
    out = []
    for currency in currencies:
        earned = revenue.get(currency, Decimal("0"))
        cost = campaign.cost if currency == campaign.cost_currency else None
        ratio = None
        if cost is not None and cost > 0:
            ratio = ((earned - cost) / cost).quantize(Decimal("0.0001"))
        out.append({"currency": currency, "revenue": earned, "cost": cost, "roi": ratio})
    return out


def attributed_revenue(
    session: Session, campaign: Campaign, *, window: timedelta = ATTRIBUTION_WINDOW
) -> dict[str, Decimal]:
    """Spend of the campaign's recipients after their send, per currency.

    A purchase counts from the recipient's own send until ``window`` after the
    campaign finished sending — one bound for all, since SQLite cannot add an
    interval to a stored timestamp. Read from the host's transaction union in one
    query; a purchase after two campaigns counts for both (choosing one is a
    reporting decision, not this one's).
    """
    if campaign.launched_at is None:
        return {}
    until = attribution_end(campaign, window=window)
    tx = transactions(session)
    rows = session.execute(
        sa.select(tx.c.currency, sa.func.sum(tx.c.amount))
        .join(Send, Send.customer_id == tx.c.customer_id)
        .where(
            Send.campaign_id == campaign.id,
            Send.duplicate.is_(False),
            tx.c.occurred_at >= Send.sent_at,
            tx.c.occurred_at < until,
        )
        .group_by(tx.c.currency)
        .order_by(tx.c.currency)
    )
    return {currency: Decimal(total) for currency, total in rows}


def buyers(session: Session, campaign: Campaign) -> int:
    """Recipients who bought in the attribution window after their send: the
    campaign's conversions, read from the transaction union rather than reported."""
    if campaign.launched_at is None:
        return 0
    tx = transactions(session)
    return (
        session.scalar(
            sa.select(sa.func.count(sa.distinct(Send.customer_id)))
            .join(tx, tx.c.customer_id == Send.customer_id)
            .where(
                Send.campaign_id == campaign.id,
                Send.duplicate.is_(False),
                tx.c.occurred_at >= Send.sent_at,
                tx.c.occurred_at < attribution_end(campaign),
            )
        )
        or 0
    )


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
