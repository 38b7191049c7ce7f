"""Inspection plans and the inspections done under them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow

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
