"""Quotes with their lines."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_host.sdk import Base, Versioned, status_type, utcnow
from crm_sales.models.common import MONEY


class QuoteStatus(enum.StrEnum):
    """draft → sent → accepted | rejected | expired."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


class Quote(Versioned, Base):
    """An offer to a customer priced from a price list; accepting it makes the order."""

    __tablename__ = "sales_quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    opportunity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sales_opportunities.id", ondelete="SET NULL"), index=True
    )
    price_list_id: Mapped[int] = mapped_column(sa.ForeignKey("sales_price_lists.id"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[QuoteStatus] = mapped_column(status_type(QuoteStatus), default=QuoteStatus.DRAFT)
    valid_until: Mapped[date | None]
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    discount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sales_orders.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="QuoteLine.id",
    )


class QuoteLine(Base):
    """One line of a quote: product, quantity, unit price from the list, discount in percent."""

    __tablename__ = "sales_quote_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sales_quotes.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("sales_products.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 3))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    discount_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(MONEY)

    quote: Mapped[Quote] = relationship(back_populates="lines")
