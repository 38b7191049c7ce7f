"""Calls, meetings and tasks of the salespeople."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, status_type, utcnow


class ActivityKind(enum.StrEnum):
    """What kind of work an activity is."""

    CALL = "call"
    MEETING = "meeting"
    TASK = "task"


class Activity(Base):
    """A call, meeting or task of a salesperson, due at a time, about a customer, a lead or
    an opportunity; reminded once before it is due, put on the timeline when done."""

    __tablename__ = "sales_activities"
    __table_args__ = (sa.Index("ix_sales_activities_due", "done_at", "reminded_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(status_type(ActivityKind, name="kind"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    lead_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sales_leads.id", ondelete="CASCADE"), index=True
    )
    opportunity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sales_opportunities.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
