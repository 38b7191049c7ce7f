"""Time-of-use tariffs and their peak and valley periods."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_host.sdk import Base
from crm_industry_power.models.columns import PRICE

#: Time-of-use periods of a tariff.
PERIODS = ("peak", "flat", "valley")


class Tariff(Base):
    """A time-of-use tariff: an energy price per period, optionally a capacity charge.

    Minutes of the day not covered by a :class:`TariffPeriod` are flat.
    """

    __tablename__ = "power_tariffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    currency: Mapped[str] = mapped_column(sa.String(3), default="CNY")
    peak_price: Mapped[Decimal] = mapped_column(PRICE)
    flat_price: Mapped[Decimal] = mapped_column(PRICE)
    valley_price: Mapped[Decimal] = mapped_column(PRICE)
    #: The monthly basic charge per contracted kVA (two-part tariffs); ``None``: none.
    capacity_price: Mapped[Decimal | None] = mapped_column(PRICE)

    periods: Mapped[list[TariffPeriod]] = relationship(
        cascade="all, delete-orphan", order_by="TariffPeriod.start_minute"
    )

    def price(self, period: str) -> Decimal:
        """The energy price of ``period`` (peak, flat or valley) per kWh."""
        return {"peak": self.peak_price, "flat": self.flat_price, "valley": self.valley_price}[
            period
        ]


class TariffPeriod(Base):
    """A peak or valley stretch of the day, in local minutes ``[start_minute, end_minute)``."""

    __tablename__ = "power_tariff_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_tariffs.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(sa.String(8))
    start_minute: Mapped[int] = mapped_column(sa.SmallInteger)
    end_minute: Mapped[int] = mapped_column(sa.SmallInteger)
