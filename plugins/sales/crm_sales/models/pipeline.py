"""The pipeline: its stages, the opportunities moving through them and every move."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_host.sdk import Base, Versioned, status_type, utcnow
from crm_sales.models.common import MONEY


class OpportunityStatus(enum.StrEnum):
    """Open while in the pipeline; won or lost once closed."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Stage(Base):
    """A configurable pipeline stage; ``position`` orders the board, ``probability`` weighs
    the forecast. Exactly the stages flagged ``is_won`` / ``is_lost`` close a deal."""

    __tablename__ = "sales_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(default=0)
    probability: Mapped[int] = mapped_column(default=0)
    is_won: Mapped[bool] = mapped_column(default=False)
    is_lost: Mapped[bool] = mapped_column(default=False)

    @property
    def is_closed(self) -> bool:
        """Whether a deal in this stage is finished (won or lost)."""
        return self.is_won or self.is_lost


class Opportunity(Versioned, Base):
    """A deal with a customer moving through the pipeline stages."""

    __tablename__ = "sales_opportunities"
    __table_args__ = (sa.Index("ix_sales_opportunities_status_stage", "status", "stage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # RESTRICT: a deal's amount is accounting data; losing it to a cascade would be silent.
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    lead_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sales_leads.id", ondelete="SET NULL"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(sa.String(3), default="CNY")
    expected_close: Mapped[date | None]
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("sales_stages.id"), index=True)
    status: Mapped[OpportunityStatus] = mapped_column(
        status_type(OpportunityStatus), default=OpportunityStatus.OPEN
    )
    lost_reason: Mapped[str | None] = mapped_column(sa.String(300))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    stage: Mapped[Stage] = relationship(lazy="joined")


class StageChange(Base):
    """One move of an opportunity between stages; the history time-in-stage is read from."""

    __tablename__ = "sales_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sales_opportunities.id", ondelete="CASCADE"), index=True
    )
    #: ``None`` for the row written when the opportunity was created.
    from_stage_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sales_stages.id"))
    to_stage_id: Mapped[int] = mapped_column(sa.ForeignKey("sales_stages.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
