"""The service plugin's tables: ticket types, tickets, their messages, SLA policies and
the round-robin cursor of each department's queue.

The other tables (mail, surveys, the escalation chain, return visits, articles) are in
this package's sibling modules. Every table starts with ``service_``. Foreign keys point at host tables (customers,
contacts, departments, users), but no relationship is added onto a host model.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, Versioned, status_type, utcnow
from crm_service.workflow import TicketStatus

#: Ticket priorities, lowest first; escalation moves a ticket one step up.
PRIORITIES = ("low", "normal", "high", "urgent")
#: How a ticket reached the service centre.
CHANNELS = ("phone", "email", "portal", "web", "chat", "visit", "api", "system")
#: Message kinds: a public reply the customer sees, or an internal note.
MESSAGE_KINDS = ("reply", "note")
#: The kind of a message the customer wrote (an email, a portal reply); agents never
#: post it, so it is not among :data:`MESSAGE_KINDS`.
CUSTOMER_KIND = "customer"
#: Ticket types every installation starts with (code, English label, Chinese label).
SEEDED_TYPES = (
    ("inquiry", "Inquiry", "咨询"),
    ("request", "Request", "服务请求"),
    ("complaint", "Complaint", "投诉"),
    ("fault_repair", "Fault repair", "故障报修"),
)


class TicketType(Base):
    """A kind of ticket (inquiry, complaint…); admins add their own."""

    __tablename__ = "service_ticket_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    label_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaPolicy(Base):
    """Response and resolution targets for tickets of a priority and/or a type.

    A null ``priority`` or ``type_id`` matches any; the most specific active policy
    wins. Targets are working minutes counted in the named business calendar.
    """

    __tablename__ = "service_sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    priority: Mapped[str | None] = mapped_column(sa.String(16))
    type_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("service_ticket_types.id", ondelete="CASCADE")
    )
    first_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int]
    calendar: Mapped[str] = mapped_column(sa.String(100), default="24x7")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ticket(Versioned, Base):
    """A customer's request to the service centre, worked through the status flow."""

    __tablename__ = "service_tickets"
    __table_args__ = (
        sa.Index("ix_service_tickets_queue", "department_id", "status", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL")
    )
    type_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_ticket_types.id", ondelete="RESTRICT")
    )
    channel: Mapped[str] = mapped_column(sa.String(16), default="phone")
    priority: Mapped[str] = mapped_column(sa.String(16), default="normal")
    category: Mapped[str | None] = mapped_column(sa.String(100))
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="SET NULL")
    )
    assignee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(
        status_type(TicketStatus, name="status", length=32), default="new"
    )
    subject: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    sla_policy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("service_sla_policies.id", ondelete="SET NULL")
    )
    #: Who or what opened it: ``api``, ``console``, ``cli`` or another plugin's name.
    source: Mapped[str] = mapped_column(sa.String(64), default="api")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reopen_count: Mapped[int] = mapped_column(default=0)
    escalation_level: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    first_responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class TicketMessage(Base):
    """A public reply or an internal note on a ticket."""

    __tablename__ = "service_ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_tickets.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16), default="reply")
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueueCursor(Base):
    """Where round-robin assignment stopped in a department's queue: the last agent chosen."""

    __tablename__ = "service_queue_cursors"

    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    last_user_id: Mapped[int | None] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
