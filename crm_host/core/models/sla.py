"""Business calendars and SLA clocks kept for any object of any plugin."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base, utcnow


class SlaCalendar(Base):
    """A named business calendar: working hours, holidays, make-up days, timezone."""

    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: ``BusinessCalendar.to_dict()``.
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaClock(Base):
    """One named clock of one object (``service.ticket`` 42's ``resolution``…).

    Holds a ``crm_host.domain.sla.ClockState`` plus ``due_at`` (null while paused or
    stopped), denormalised so the breach scan is one indexed range query.
    """

    __tablename__ = "sla_clocks"
    __table_args__ = (
        sa.UniqueConstraint("object_type", "object_id", "name", name="uq_sla_clocks_object"),
        sa.Index("ix_sla_clocks_due", "breached_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(sa.String(100))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(64))
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey("sla_calendars.id", ondelete="RESTRICT"))
    target_seconds: Mapped[int]
    started_at: Mapped[datetime]
    resumed_at: Mapped[datetime]
    consumed_seconds: Mapped[float] = mapped_column(sa.Float, default=0)
    paused_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    reached_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
