"""A loyalty account: one per customer, and the movements of its points."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow


class Account(Base):
    """A customer's loyalty account: the points they hold now."""

    __tablename__ = "loyalty_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), unique=True
    )
    balance: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class Movement(Base):
    """Points earned (positive) or redeemed (negative); ``ref`` makes an award happen once."""

    __tablename__ = "loyalty_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("loyalty_accounts.id", ondelete="CASCADE"), index=True
    )
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    ref: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
