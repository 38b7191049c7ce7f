"""The sales plugin's tables: leads, pipeline stages, opportunities and their stage history,
products, orders with lines, lead-scoring rules and the round-robin cursor.

Every table starts with ``sales_``. Foreign keys point at host tables (customers,
users, departments) but no relationship is added onto a host model.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_host.sdk import Base, Versioned, status_type, utcnow

MONEY = sa.Numeric(18, 2)


class LeadStatus(enum.StrEnum):
    """Where a lead stands: new → contacted → qualified → converted | disqualified."""

    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    DISQUALIFIED = "disqualified"


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


class Lead(Versioned, Base):
    """Someone who may become a customer, before they are one."""

    __tablename__ = "sales_leads"
    __table_args__ = (sa.Index("ix_sales_leads_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    company: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    status: Mapped[LeadStatus] = mapped_column(status_type(LeadStatus), default=LeadStatus.NEW)
    disqualified_reason: Mapped[str | None] = mapped_column(sa.String(300))
    source: Mapped[str | None] = mapped_column(sa.String(64))
    campaign: Mapped[str | None] = mapped_column(sa.String(100))
    score: Mapped[int] = mapped_column(default=0)
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    #: The customer the lead became; moved by a merge, kept through an erasure.
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    converted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


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


class ScoringRule(Base):
    """A lead-scoring rule: when ``field`` ``operator`` ``value`` holds, add ``points``."""

    __tablename__ = "sales_scoring_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(sa.String(32))
    operator: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[str] = mapped_column(sa.String(200), default="")
    points: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)


class AssignmentCursor(Base):
    """Who got the department's last lead, so round-robin assignment resumes after them."""

    __tablename__ = "sales_assignment_cursors"

    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    last_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class AssignmentMethod(enum.StrEnum):
    """How a department's new leads find an owner."""

    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


class AssignmentRule(Base):
    """The assignment method a department chose; departments without a row go round-robin."""

    __tablename__ = "sales_assignment_rules"

    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    method: Mapped[AssignmentMethod] = mapped_column(
        status_type(AssignmentMethod, name="method"), default=AssignmentMethod.ROUND_ROBIN
    )


class SalesCapacity(Base):
    """The most open leads and opportunities together a sales user should hold."""

    __tablename__ = "sales_capacities"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    max_open: Mapped[int]


class ActivityKind(enum.StrEnum):
    """What kind of work an activity is."""

    CALL = "call"
    MEETING = "meeting"
    TASK = "task"


class Activity(Base):
    """A call, meeting or task of a salesperson, due at a time, about a customer, a lead or
    an opportunity; reminded once before it is due, put on the timeline when done."""

    __tablename__ = "sales_activities"
    __table_args__ = (sa.Index("ix_sales_activities_due", "done_at", "reminded_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(status_type(ActivityKind, name="kind"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    lead_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sales_leads.id", ondelete="CASCADE"), index=True
    )
    opportunity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sales_opportunities.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
