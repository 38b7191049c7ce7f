"""Service guarantees: the published commitments and the ones running."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base
from crm_industry_power.models.columns import MONEY

#: How a guarantee's deadline is set: a time ``within`` which something is done after
#: it starts (restore supply, answer a billing query), or a lead ``before_event`` it is
#: done by (notice before a planned outage; an appointment window's end, lead 0).
GUARANTEE_KINDS = ("within", "before_event")
GUARANTEE_UNITS = ("minutes", "hours", "days", "working_days")


class GuaranteeType(Base):
    """A published service commitment: its target and the credit owed when it is missed."""

    __tablename__ = "power_guarantee_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(16))
    target_value: Mapped[int]
    target_unit: Mapped[str] = mapped_column(sa.String(16))
    #: The business calendar the clock counts in (working days need one with hours).
    calendar: Mapped[str] = mapped_column(sa.String(100), default="24x7")
    credit_amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3), default="CNY")
    active: Mapped[bool] = mapped_column(default=True)


class Guarantee(Base):
    """One guarantee running for a customer and an event (a fault, a query, an outage).

    The deadline is an SLA clock of the host (object ``power_guarantee``); ``due_at``
    copies it for lists. A breach is marked once, with the credit then owed.
    """

    __tablename__ = "power_guarantees"

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_guarantee_types.id", ondelete="RESTRICT"), index=True
    )
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("power_accounts.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str] = mapped_column(sa.String(200), default="")
    started_at: Mapped[datetime]
    #: The event a ``before_event`` guarantee is measured against (the outage's start).
    event_at: Mapped[datetime | None]
    due_at: Mapped[datetime]
    met_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    credit_owed: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
