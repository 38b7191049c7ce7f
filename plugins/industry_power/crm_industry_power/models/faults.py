"""Reported faults and where they are."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, status_type, utcnow


class FaultStatus(enum.StrEnum):
    """Where a fault is: recorded, handed to service as a ticket, or resolved."""

    RECORDED = "recorded"
    TICKETED = "ticketed"
    RESOLVED = "resolved"


FAULT_STATUSES = tuple(status.value for status in FaultStatus)
#: Where a fault is, which sets how soon a crew must be on site.
AREAS = ("urban", "rural", "remote")


class Fault(Base):
    """A reported fault; ``ticket_id`` is the service ticket when service took it."""

    __tablename__ = "power_faults"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_accounts.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(sa.Text)
    contact_phone: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(
        status_type(FaultStatus, name="status"), default=FaultStatus.RECORDED
    )
    area: Mapped[str] = mapped_column(sa.String(8), default="urban", server_default="urban")
    #: When the crew checked in on site (stops the ``arrival`` clock).
    arrived_at: Mapped[datetime | None]
    #: The service plugin's ticket; no foreign key, as service may not be installed.
    ticket_id: Mapped[int | None]
    reported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
