"""Energy-saving and grid-upgrade advice, one row per account and rule."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow
from crm_industry_power.models.columns import MONEY


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
