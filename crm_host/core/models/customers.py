"""The customer and what hangs off it: contacts, addresses, tags, consent."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from crm_host.core.db import Base, utcnow
from crm_host.core.models.directory import Department
from crm_host.core.sensitive import Encrypted, blind_id_number, blind_phone
from crm_host.core.text import normalize_name
from crm_host.core.versioning import Versioned


class CustomerKind(enum.StrEnum):
    """Whether a customer is a natural person or an organisation."""

    PERSON = "person"
    ORGANIZATION = "organization"


class LifecycleStage(enum.StrEnum):
    """Where a customer stands in its relationship with the company."""

    LEAD = "lead"
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    INACTIVE = "inactive"


customer_departments = sa.Table(
    "customer_departments",
    Base.metadata,
    sa.Column("customer_id", sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "department_id",
        sa.ForeignKey("departments.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

customer_tags = sa.Table(
    "customer_tags",
    Base.metadata,
    sa.Column("customer_id", sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Base):
    """A free label put on customers."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)


class Customer(Versioned, Base):
    """A person or an organisation the company serves.

    ``tier`` is the company's service tier and has one owner: the admins, or the one
    classifier they choose. Responsible departments drive assignment and record
    rules, not who may see the customer.
    """

    __tablename__ = "customers"
    __table_args__ = (
        # Keyset pagination walks (sort key, id); each list order gets its index.
        sa.Index("ix_customers_search_name_id", "search_name", "id"),
        sa.Index("ix_customers_created_at_id", "created_at", "id"),
        sa.Index("ix_customers_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[CustomerKind] = mapped_column(
        sa.Enum(
            CustomerKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    #: ``name`` folded by :func:`crm_host.core.text.normalize_name`, kept in step by an ORM event.
    search_name: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(
        sa.Enum(
            LifecycleStage,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=LifecycleStage.PROSPECT,
    )
    tier: Mapped[str | None] = mapped_column(sa.String(32))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    #: Encrypted at rest when field keys are configured; looked up by ``phone_blind``.
    phone: Mapped[str | None] = mapped_column(Encrypted(255))
    phone_blind: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    #: A national ID or company registration number; encrypted like the phone.
    id_number: Mapped[str | None] = mapped_column(Encrypted(255))
    id_number_blind: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # Demographic, geographic and preference attributes used by segments.
    gender: Mapped[str | None] = mapped_column(sa.String(16))
    birth_date: Mapped[date | None]
    occupation: Mapped[str | None] = mapped_column(sa.String(100))
    education: Mapped[str | None] = mapped_column(sa.String(100))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    preferred_language: Mapped[str | None] = mapped_column(sa.String(16))
    preferences: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Values of admin-defined custom fields, keyed by the field's name.
    custom: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[Customer | None] = relationship(remote_side=[id])
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True
    )
    addresses: Mapped[list[Address]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True
    )
    tags: Mapped[list[Tag]] = relationship(secondary=customer_tags)
    departments: Mapped[list[Department]] = relationship(secondary=customer_departments)

    @validates("phone", "id_number")
    def _keep_blind_index(self, key: str, value: str | None) -> str | None:
        # The blind index follows the value in the same flush, whoever sets it.
        if key == "phone":
            self.phone_blind = blind_phone(value)
        else:
            self.id_number_blind = blind_id_number(value)
        return value

    def __repr__(self) -> str:
        return f"<Customer {self.code}>"


class Contact(Base):
    """A person to talk to at a customer."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    phone: Mapped[str | None] = mapped_column(Encrypted(255))
    phone_blind: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="contacts")

    @validates("phone")
    def _keep_blind_index(self, key: str, value: str | None) -> str | None:
        self.phone_blind = blind_phone(value)
        return value


class Address(Base):
    """A postal address of a customer (billing, service point, mailing)."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(32), default="mailing")
    line1: Mapped[str] = mapped_column(Encrypted(1000))
    line2: Mapped[str | None] = mapped_column(Encrypted(1000))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    postal_code: Mapped[str | None] = mapped_column(sa.String(20))
    country: Mapped[str] = mapped_column(sa.String(2), default="CN")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="addresses")


class Consent(Base):
    """One recorded consent decision for a channel; the newest row per channel is in force.

    Rows are never updated: the history is the table.
    """

    __tablename__ = "consents"
    __table_args__ = (
        sa.Index("ix_consents_customer_channel", "customer_id", "channel", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(sa.String(32))
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(sa.String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


@sa.event.listens_for(Customer.name, "set", propagate=True)
def _fold_name(target: Customer, value: str | None, _old: object, _initiator: object) -> None:
    target.search_name = normalize_name(value or "")
