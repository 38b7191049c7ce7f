"""Products, and customers' orders with their lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_host.sdk import Base, utcnow
from crm_sales.models.common import MONEY


class Product(Base):
    """Something the company sells, with a list price."""

    __tablename__ = "sales_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    unit_price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(sa.String(3), default="CNY")
    active: Mapped[bool] = mapped_column(default=True)


class Order(Base):
    """A customer's order; contributed to the host's transactions for analytics."""

    __tablename__ = "sales_orders"
    __table_args__ = (
        sa.Index("ix_sales_orders_customer_ordered", "customer_id", "ordered_at"),
        # Covers the transactions' per-customer totals and counts (segments): the
        # database groups by reading this index alone, in customer order.
        sa.Index("ix_sales_orders_customer_amount", "customer_id", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="RESTRICT"))
    opportunity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sales_opportunities.id", ondelete="SET NULL"), index=True
    )
    ordered_at: Mapped[datetime] = mapped_column(default=utcnow)
    currency: Mapped[str] = mapped_column(sa.String(3), default="CNY")
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="OrderLine.id",
    )


class OrderLine(Base):
    """One line of an order: a product (or a free description), quantity and price."""

    __tablename__ = "sales_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sales_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sales_products.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 3))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    #: Carried over from an accepted quote's line; 0 on orders recorded directly.
    discount_percent: Mapped[Decimal] = mapped_column(
        sa.Numeric(5, 2), default=Decimal("0"), server_default="0"
    )
    amount: Mapped[Decimal] = mapped_column(MONEY)

    order: Mapped[Order] = relationship(back_populates="lines")
