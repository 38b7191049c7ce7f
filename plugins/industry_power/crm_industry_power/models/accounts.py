"""Accounts (户号) at a service point, their meters and equipment, and the service class
the pack computes for each."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_host.sdk import Base, Versioned, utcnow
from crm_industry_power.models.columns import ENERGY

if TYPE_CHECKING:
    from crm_industry_power.models.tariffs import Tariff

#: Customer categories of the Chinese tariff catalogue, and the grid's own supply
#: points (bulk supply to another utility, a substation's feeders): code → (English,
#: Chinese).
CATEGORIES: dict[str, tuple[str, str]] = {
    "large_industry": ("Large industry", "大工业"),
    "commercial": ("Commercial and general industry", "一般工商业"),
    "residential": ("Residential", "居民"),
    "agricultural": ("Agricultural", "农业"),
    "bulk_supply": ("Bulk supply point", "趸售"),
    "substation": ("Substation", "变电站"),
}
#: The largest contracted capacity (kVA) of an account of each category: a house is
#: not a steel works, and a substation carries what a thousand steel works draw.
CAPACITY_CAPS: dict[str, int] = {
    "residential": 1_000,
    "agricultural": 10_000,
    "commercial": 100_000,
    "large_industry": 9_999_999,
    "bulk_supply": 99_999_999,
    "substation": 99_999_999,
}
#: How an account's demand and energy are shown: its own unit of active power.
DISPLAY_UNITS = ("kW", "MW")
#: What a meter measures: active power (kW, kWh) or reactive power (kvar, kvarh).
QUANTITIES = ("active", "reactive")
#: Supply voltage levels, lowest first.
VOLTAGE_LEVELS = ("0.22kV", "0.4kV", "10kV", "20kV", "35kV", "110kV", "220kV")
EQUIPMENT_KINDS = ("transformer", "motor", "capacitor", "switchgear", "generator", "other")


class Account(Versioned, Base):
    """A utility account (户号) of a customer at one service point."""

    __tablename__ = "power_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    service_point: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(16))
    voltage_level: Mapped[str] = mapped_column(sa.String(8))
    contracted_kva: Mapped[Decimal] = mapped_column(sa.Numeric(12, 1))
    tariff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("power_tariffs.id", ondelete="RESTRICT"), index=True
    )
    key_customer: Mapped[bool] = mapped_column(default=False)
    #: The unit its curves and metrics are shown in (stored values are kW / kWh).
    display_unit: Mapped[str] = mapped_column(sa.String(8), default="kW", server_default="kW")
    #: Refuse readings over 3× the capacity instead of reporting them as notices.
    refuse_overload: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tariff: Mapped[Tariff | None] = relationship()
    meters: Mapped[list[Meter]] = relationship(back_populates="account", order_by="Meter.id")


class Meter(Base):
    """A meter of an account; ``multiplier`` is its CT × PT ratio (file values × it)."""

    __tablename__ = "power_meters"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_accounts.id", ondelete="RESTRICT"), index=True
    )
    multiplier: Mapped[Decimal] = mapped_column(sa.Numeric(12, 3), default=Decimal(1))
    active: Mapped[bool] = mapped_column(default=True)
    #: Active (kW, kWh) or reactive (kvar, kvarh); only active meters make load curves.
    quantity: Mapped[str] = mapped_column(sa.String(8), default="active", server_default="active")

    account: Mapped[Account] = relationship(back_populates="meters")


class Equipment(Base):
    """A transformer, motor or other equipment at a key customer's service point."""

    __tablename__ = "power_equipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(100))
    model: Mapped[str | None] = mapped_column(sa.String(100))
    rated_kva: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 1))
    installed_on: Mapped[date | None] = mapped_column(sa.Date)


#: Service levels of the pack's own classification, highest first.
SERVICE_LEVELS = ("key", "important", "ordinary")


class ServiceClass(Base):
    """An account's service level (重点 / 重要 / 普通), computed by :mod:`.classify`.

    Kept in the pack's table: the host's customer ``tier`` belongs to the company's
    administrators, and is never written from here.
    """

    __tablename__ = "power_service_classes"

    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(sa.String(16), index=True)
    reason: Mapped[str] = mapped_column(sa.String(32))
    annual_kwh: Mapped[Decimal] = mapped_column(ENERGY)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
