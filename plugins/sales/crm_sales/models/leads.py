"""Leads, and the rules that score them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, Versioned, status_type, utcnow


class LeadStatus(enum.StrEnum):
    """Where a lead stands: new → contacted → qualified → converted | disqualified."""

    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    DISQUALIFIED = "disqualified"


class Lead(Versioned, Base):
    """Someone who may become a customer, before they are one."""

    __tablename__ = "sales_leads"
    __table_args__ = (sa.Index("ix_sales_leads_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    company: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    status: Mapped[LeadStatus] = mapped_column(status_type(LeadStatus), default=LeadStatus.NEW)
    disqualified_reason: Mapped[str | None] = mapped_column(sa.String(300))
    source: Mapped[str | None] = mapped_column(sa.String(64))
    campaign: Mapped[str | None] = mapped_column(sa.String(100))
    score: Mapped[int] = mapped_column(default=0)
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    #: The customer the lead became; moved by a merge, kept through an erasure.
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    converted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScoringRule(Base):
    """A lead-scoring rule: when ``field`` ``operator`` ``value`` holds, add ``points``."""

    __tablename__ = "sales_scoring_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(sa.String(32))
    operator: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[str] = mapped_column(sa.String(200), default="")
    points: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
