"""Who a campaign reaches: the segment's active members who consent to its channel,
have an address on it and are under the frequency cap."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from crm_host.sdk import Consent, Customer, utcnow
from crm_marketing import channels, segments
from crm_marketing.models import Campaign, Send


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
