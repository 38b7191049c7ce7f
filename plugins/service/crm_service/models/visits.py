"""Return visits (回访) after a ticket is resolved."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, status_type, utcnow


class VisitOutcome(enum.StrEnum):
    """What a return visit found; stored by value (``crm_host.sdk.status_type``)."""

    REACHED = "reached"
    NOT_REACHED = "not_reached"
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"


#: The outcomes as plain codes (what forms, options and messages list).
VISIT_OUTCOMES = tuple(outcome.value for outcome in VisitOutcome)


class ReturnVisit(Base):
    """A call back to the customer (回访) some time after their ticket was resolved."""

    __tablename__ = "service_return_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_tickets.id", ondelete="CASCADE"), unique=True
    )
    due_at: Mapped[datetime] = mapped_column(index=True)
    #: Who makes the call: the agent who resolved the ticket, else anyone in its queue.
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(status_type(VisitOutcome, name="outcome"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
