"""Price lists with a price per product, and the list a customer's quotes use."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_host.sdk import Base, utcnow
from crm_sales.models.common import MONEY


class PriceList(Base):
    """Prices of products in one currency, valid between two dates; one list is the default."""

    __tablename__ = "sales_price_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    currency: Mapped[str] = mapped_column(sa.String(3), default="CNY")
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    prices: Mapped[list[PriceListItem]] = relationship(
        back_populates="price_list",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PriceListItem.id",
    )


class PriceListItem(Base):
    """A product's unit price on a price list."""

    __tablename__ = "sales_price_list_items"
    __table_args__ = (sa.UniqueConstraint("price_list_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sales_price_lists.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("sales_products.id"), index=True)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)

    price_list: Mapped[PriceList] = relationship(back_populates="prices")


class CustomerPriceList(Base):
    """The price list a customer's quotes are priced from unless a quote names another
    (a distributor's or a key account's negotiated prices)."""

    __tablename__ = "sales_customer_price_lists"

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    price_list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sales_price_lists.id", ondelete="CASCADE"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
