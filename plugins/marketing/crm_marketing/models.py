"""The marketing plugin's tables: segments with their static members, RFM scores,
campaigns, one send row per customer and campaign, and the SMS outbox.

Every table starts with ``marketing_``. Foreign keys point at host tables
(customers, users) but no relationship is added onto a host model; derived values
(RFM) live here and are joined in SQL, never written into the customer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, Versioned, utcnow

MONEY = sa.Numeric(18, 2)

SEGMENT_KINDS = ("rules", "static")
#: The built-in channels; plugins offer more (see :mod:`crm_marketing.channels`).
CHANNELS = ("email", "sms")
#: ``tested``: an A/B test went to its share of the audience; the rest waits for a winner.
CAMPAIGN_STATUSES = ("draft", "scheduled", "sending", "tested", "sent", "cancelled")
RESPONSES = ("delivered", "opened", "clicked", "replied", "converted", "unsubscribed")


class Segment(Base):
    """A named audience: a rule tree compiled to SQL (``rules``) or a static list."""

    __tablename__ = "marketing_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    kind: Mapped[str] = mapped_column(sa.String(16), default="rules")
    #: The rule tree (see :mod:`crm_marketing.rules`); ``None`` for a static list.
    rules: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SegmentMember(Base):
    """A customer on a static list."""

    __tablename__ = "marketing_segment_members"

    segment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_segments.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class RfmScore(Base):
    """A customer's recency, frequency and monetary figures and their quintile scores (1–5).

    Rebuilt as a whole by :func:`crm_marketing.rfm.refresh` from the host's transaction
    union; customers without a transaction have no row.
    """

    __tablename__ = "marketing_rfm"

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    last_purchase_at: Mapped[datetime]
    frequency: Mapped[int]
    monetary: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3))
    r_score: Mapped[int]
    f_score: Mapped[int]
    m_score: Mapped[int]
    #: Tier of the customer pyramid by spend: top, big, medium or small (``None`` only
    #: on rows from before the tiers existed, until the next refresh).
    pyramid: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    #: Quadrant of the loyalty–value matrix: true_friend, barnacle, butterfly, stranger.
    loyalty_value: Mapped[str | None] = mapped_column(sa.String(12), index=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def code(self) -> str:
        """The three scores as one code, ``"545"``."""
        return f"{self.r_score}{self.f_score}{self.m_score}"


class Campaign(Versioned, Base):
    """A message sent once to a segment's consenting members over one channel."""

    __tablename__ = "marketing_campaigns"
    # No check on the channel: plugins offer channels, and the service checks a
    # campaign's against those of this installation.
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'tested', 'sent', 'cancelled')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    channel: Mapped[str] = mapped_column(sa.String(16))
    segment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_segments.id", ondelete="RESTRICT"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
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
    response: Mapped[str | None] = mapped_column(sa.String(16))
    responded_at: Mapped[datetime | None]


class SendResponse(Base):
    """Each kind of response a send got, once: the funnel counts (opened, then clicked)
    that ``Send.response``, which keeps only the latest, cannot give."""

    __tablename__ = "marketing_send_responses"

    send_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_sends.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
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


class ValueModel(Base):
    """One fit of the lifetime-value models over every buyer in one currency.

    BG/NBD (``r``, ``alpha``, ``a``, ``b``) on purchase periods measured in weeks, and
    Gamma-Gamma (``p``, ``q``, ``v``) on the repeat buyers' mean spend — ``None`` when
    too few customers bought twice. Each refresh adds a row; the newest is current.
    """

    __tablename__ = "marketing_value_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    horizon_days: Mapped[int]
    customers: Mapped[int]
    repeat_buyers: Mapped[int]
    r: Mapped[float]
    alpha: Mapped[float]
    a: Mapped[float]
    b: Mapped[float]
    bgnbd_log_likelihood: Mapped[float]
    p: Mapped[float | None]
    q: Mapped[float | None]
    v: Mapped[float | None]
    gamma_gamma_log_likelihood: Mapped[float | None]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerValue(Base):
    """A customer's purchase summary and what the newest value model predicts for them.

    ``frequency`` counts repeat purchase days (days with a purchase after the first);
    ``recency_weeks`` runs from the first to the last purchase and ``age_weeks`` from
    the first purchase to the refresh. Rebuilt as a whole by
    :func:`crm_marketing.lifetime_value.refresh`; customers who never bought have no row.
    """

    __tablename__ = "marketing_customer_values"

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(sa.String(3))
    frequency: Mapped[int]
    recency_weeks: Mapped[float]
    age_weeks: Mapped[float]
    #: Mean spend of the repeat purchase days (``None`` without a repeat purchase).
    average_spend: Mapped[Decimal | None] = mapped_column(MONEY)
    p_alive: Mapped[float]
    expected_purchases: Mapped[float]
    #: Expected spend over the horizon (``None`` when the spend model could not be fitted).
    expected_value: Mapped[Decimal | None] = mapped_column(MONEY)
    churn_risk: Mapped[str] = mapped_column(sa.String(8), index=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


JOURNEY_TRIGGERS = ("segment", "event")
JOURNEY_STATUSES = ("draft", "active", "paused")
ENTRY_STATUSES = ("waiting", "done", "exited")


class Journey(Base):
    """Steps a customer walks through after a trigger: joining a segment or an event.

    ``steps`` is a JSON list (see :mod:`crm_marketing.journeys`): waits, conditions,
    sends through a campaign's channel and template, and tags. ``goal``, a rule tree,
    takes a customer who meets it out of the journey as converted.
    """

    __tablename__ = "marketing_journeys"
    __table_args__ = (
        sa.CheckConstraint("trigger IN ('segment', 'event')", name="trigger"),
        sa.CheckConstraint("status IN ('draft', 'active', 'paused')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    trigger: Mapped[str] = mapped_column(sa.String(16))
    segment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("marketing_segments.id", ondelete="RESTRICT")
    )
    #: The hook whose event enrols the customer: ``crm_customers_created``, or any event
    #: whose hookspec declares ``customer_ids``.
    event: Mapped[str | None] = mapped_column(sa.String(100))
    #: What the event must carry, for events that offer a choice (the new stage of
    #: ``crm_customer_stage_changed``…); ``None``: any (see :mod:`crm_marketing.triggers`).
    event_value: Mapped[str | None] = mapped_column(sa.String(100))
    goal: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JourneyEntry(Base):
    """Where one customer stands in a journey: the next step and when it is due."""

    __tablename__ = "marketing_journey_entries"
    __table_args__ = (
        sa.UniqueConstraint("journey_id", "customer_id"),
        sa.CheckConstraint("status IN ('waiting', 'done', 'exited', 'converted')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_journeys.id", ondelete="CASCADE")
    )
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    #: Index of the next step to run (``len(steps)`` once done).
    step: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(16), default="waiting")
    due_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class JourneyAction(Base):
    """A step a customer's entry has run; the unique pair makes each step run once."""

    __tablename__ = "marketing_journey_actions"
    __table_args__ = (sa.UniqueConstraint("entry_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_journey_entries.id", ondelete="CASCADE")
    )
    step: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    #: What happened: ``sent``, ``skipped`` (no consent or address), ``passed``, ``exited``…
    outcome: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
