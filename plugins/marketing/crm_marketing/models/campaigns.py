"""Campaigns, their A/B variants, one send row per customer and campaign, the
responses those sends got, and the SMS outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, Versioned, status_type, utcnow
from crm_marketing.models.common import MONEY

#: The built-in channels; plugins offer more (see :mod:`crm_marketing.channels`).
CHANNELS = ("email", "sms")


class CampaignStatus(enum.StrEnum):
    """A campaign's life; ``tested``: an A/B test went to its share of the audience and
    the rest waits for a winner."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    TESTED = "tested"
    SENT = "sent"
    CANCELLED = "cancelled"


class ResponseKind(enum.StrEnum):
    """What a recipient did with a message."""

    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    REPLIED = "replied"
    CONVERTED = "converted"
    UNSUBSCRIBED = "unsubscribed"


CAMPAIGN_STATUSES = tuple(status.value for status in CampaignStatus)
RESPONSES = tuple(kind.value for kind in ResponseKind)


class Campaign(Versioned, Base):
    """A message sent once to a segment's consenting members over one channel."""

    __tablename__ = "marketing_campaigns"
    # No check on the channel: plugins offer channels, and the service checks a
    # campaign's against those of this installation.

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    channel: Mapped[str] = mapped_column(sa.String(16))
    segment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_segments.id", ondelete="RESTRICT"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(status_type(CampaignStatus), default="draft")
    scheduled_at: Mapped[datetime | None]
    launched_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: The send job, once launched.
    job_id: Mapped[int | None]
    #: What the campaign cost (agency, printing, gateway fees); often known only after
    #: it was sent, so it stays editable. ``None`` until someone enters it.
    cost: Mapped[Decimal | None] = mapped_column(MONEY)
    cost_currency: Mapped[str | None] = mapped_column(sa.String(3))
    #: Test, then send the winner: the percentage of the audience the variants go to
    #: first (``None``: every recipient gets a variant at once).
    test_share: Mapped[int | None]
    #: The variant picked after the test; the rest of the audience gets it.
    winner: Mapped[str | None] = mapped_column(sa.String(1))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Send(Base):
    """One message of a campaign to one customer; the unique pair makes sends exactly-once.

    ``address`` is where it went (personal data: blanked on erasure).
    """

    __tablename__ = "marketing_sends"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_campaigns.id", ondelete="CASCADE")
    )
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str | None] = mapped_column(sa.String(320))
    #: The A/B variant the recipient drew (``None`` for a campaign without variants).
    variant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("marketing_campaign_variants.id", ondelete="SET NULL"), index=True
    )
    #: The address was a lower-id recipient's too: no message went out for this row,
    #: which stays so the skip is counted and a resumed job does not reconsider it.
    duplicate: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    response: Mapped[str | None] = mapped_column(status_type(ResponseKind, name="response"))
    responded_at: Mapped[datetime | None]


class SendResponse(Base):
    """Each kind of response a send got, once: the funnel counts (opened, then clicked)
    that ``Send.response``, which keeps only the latest, cannot give."""

    __tablename__ = "marketing_send_responses"

    send_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_sends.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(status_type(ResponseKind, name="kind"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class Variant(Base):
    """One version of a campaign's message in an A/B test, with its share of the audience.

    A campaign has none (everyone gets its own subject and body) or 2–5, whose
    ``weight`` percentages add up to 100.
    """

    __tablename__ = "marketing_campaign_variants"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "name"),
        sa.CheckConstraint("weight BETWEEN 1 AND 99", name="weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_campaigns.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(1))
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    weight: Mapped[int]


class SmsMessage(Base):
    """An SMS waiting for (or past) its gateway: the default SMS delivery is this table."""

    __tablename__ = "marketing_sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_sends.id", ondelete="CASCADE"), unique=True
    )
    to_number: Mapped[str | None] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
