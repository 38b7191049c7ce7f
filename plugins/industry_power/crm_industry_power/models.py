"""The power pack's tables: tariffs with time-of-use periods, accounts (户号), meters,
interval readings packed per meter and day, bills, advice, equipment and faults.

Every table starts with ``power_``. Foreign keys point at host tables (customers,
users) but no relationship is added onto a host model.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_host.sdk import Base, Versioned, utcnow

MONEY = sa.Numeric(18, 2)
PRICE = sa.Numeric(12, 4)
ENERGY = sa.Numeric(18, 3)

#: Customer categories of the Chinese tariff catalogue: code → (English, Chinese).
CATEGORIES: dict[str, tuple[str, str]] = {
    "large_industry": ("Large industry", "大工业"),
    "commercial": ("Commercial and general industry", "一般工商业"),
    "residential": ("Residential", "居民"),
    "agricultural": ("Agricultural", "农业"),
}
#: Supply voltage levels, lowest first.
VOLTAGE_LEVELS = ("0.22kV", "0.4kV", "10kV", "20kV", "35kV", "110kV", "220kV")
#: Time-of-use periods of a tariff.
PERIODS = ("peak", "flat", "valley")
EQUIPMENT_KINDS = ("transformer", "motor", "capacitor", "switchgear", "generator", "other")
FAULT_STATUSES = ("recorded", "ticketed", "resolved")
#: Where a fault is, which sets how soon a crew must be on site.
AREAS = ("urban", "rural", "remote")


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

    account: Mapped[Account] = relationship(back_populates="meters")


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


class Advice(Base):
    """A piece of energy-saving or grid-upgrade advice for an account, from one rule."""

    __tablename__ = "power_advice"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_accounts.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(16))
    first_day: Mapped[date] = mapped_column(sa.Date)
    last_day: Mapped[date] = mapped_column(sa.Date)
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    monthly_saving: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    status: Mapped[str] = mapped_column(sa.String(16), default="recorded")
    area: Mapped[str] = mapped_column(sa.String(8), default="urban", server_default="urban")
    #: When the crew checked in on site (stops the ``arrival`` clock).
    arrived_at: Mapped[datetime | None]
    #: The service plugin's ticket; no foreign key, as service may not be installed.
    ticket_id: Mapped[int | None]
    reported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


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


#: Kinds of inspection: a routine patrol (巡查) or a thorough check (检查).
INSPECTION_KINDS = ("patrol", "check")
INSPECTION_RESULTS = ("ok", "defect")


class InspectionPlan(Base):
    """A recurring inspection of a service point or of one piece of equipment there.

    ``next_due`` is the local date the next inspection is due; the schedule flags a
    plan once per due date it passed, remembering that date in ``flagged_due``.
    """

    __tablename__ = "power_inspection_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_accounts.id", ondelete="CASCADE"), index=True
    )
    equipment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("power_equipment.id", ondelete="CASCADE"), index=True
    )
    interval_days: Mapped[int] = mapped_column(sa.SmallInteger)
    next_due: Mapped[date] = mapped_column(sa.Date, index=True)
    responsible_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    flagged_due: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InspectionRecord(Base):
    """One inspection done under a plan: when, by whom, what was found, what follows."""

    __tablename__ = "power_inspection_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("power_inspection_plans.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(8))
    inspected_on: Mapped[date] = mapped_column(sa.Date)
    inspector_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    findings: Mapped[str] = mapped_column(sa.Text, default="")
    result: Mapped[str] = mapped_column(sa.String(8))
    follow_up: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
