"""Interval readings, packed per meter and local day."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow


class ReadingDay(Base):
    """One meter's interval energy over one local day, packed (see :mod:`.storage`)."""

    __tablename__ = "power_reading_days"

    meter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_meters.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    interval_minutes: Mapped[int] = mapped_column(sa.SmallInteger)
    values: Mapped[bytes] = mapped_column(sa.LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
