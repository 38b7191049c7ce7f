"""Journeys, each customer's place in one, and the steps it has run."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, status_type, utcnow


class JourneyTrigger(enum.StrEnum):
    """What enrols a customer: joining a segment, or an event."""

    SEGMENT = "segment"
    EVENT = "event"


class JourneyStatus(enum.StrEnum):
    """Only an active journey enrols and moves customers on."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"


class EntryStatus(enum.StrEnum):
    """Where a customer's entry stands: waiting for its next step, or out."""

    WAITING = "waiting"
    DONE = "done"
    EXITED = "exited"
    CONVERTED = "converted"


JOURNEY_TRIGGERS = tuple(trigger.value for trigger in JourneyTrigger)
JOURNEY_STATUSES = tuple(status.value for status in JourneyStatus)
#: The states a journey's steps leave an entry in (``converted`` is the goal's).
ENTRY_STATUSES = ("waiting", "done", "exited")


class Journey(Base):
    """Steps a customer walks through after a trigger: joining a segment or an event.

    ``steps`` is a JSON list (see :mod:`crm_marketing.journeys`): waits, conditions,
    sends through a campaign's channel and template, and tags. ``goal``, a rule tree,
    takes a customer who meets it out of the journey as converted.
    """

    __tablename__ = "marketing_journeys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    trigger: Mapped[str] = mapped_column(status_type(JourneyTrigger, name="trigger"))
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
    status: Mapped[str] = mapped_column(status_type(JourneyStatus), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JourneyEntry(Base):
    """Where one customer stands in a journey: the next step and when it is due."""

    __tablename__ = "marketing_journey_entries"
    __table_args__ = (sa.UniqueConstraint("journey_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_journeys.id", ondelete="CASCADE")
    )
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    #: Index of the next step to run (``len(steps)`` once done).
    step: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(status_type(EntryStatus), default="waiting")
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
