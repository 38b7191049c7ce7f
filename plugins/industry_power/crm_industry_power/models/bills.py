"""Monthly bills: an account's energy priced on its tariff."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow
from crm_industry_power.models.columns import ENERGY, MONEY


class Bill(Base):
    """A month's energy of an account priced on its tariff (a host transaction)."""

    __tablename__ = "power_bills"
    __table_args__ = (sa.UniqueConstraint("account_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_accounts.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    month: Mapped[date] = mapped_column(sa.Date)
    issued_at: Mapped[datetime]
    peak_kwh: Mapped[Decimal] = mapped_column(ENERGY)
    flat_kwh: Mapped[Decimal] = mapped_column(ENERGY)
    valley_kwh: Mapped[Decimal] = mapped_column(ENERGY)
    energy_amount: Mapped[Decimal] = mapped_column(MONEY)
    capacity_amount: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
