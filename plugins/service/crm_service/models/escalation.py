"""The escalation chain: its steps, and each step applied to a ticket."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow


class EscalationStep(Base):
    """One step of the escalation chain: what happens once a ticket has been overdue
    for ``after_minutes`` (wall-clock minutes past its earliest breached due time).

    Without any active step, a breach raises the priority and notifies, once.
    """

    __tablename__ = "service_escalation_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    after_minutes: Mapped[int]
    raise_priority: Mapped[bool] = mapped_column(default=False)
    #: Move the ticket to this department's queue (unassigned there) …
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="SET NULL")
    )
    #: … or hand it to this user.
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    notify: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Escalation(Base):
    """A step of the chain applied to a ticket: unique per ticket, step and round (the
    ticket's reopen count), so a second run of the schedule applies nothing twice."""

    __tablename__ = "service_escalations"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "step_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_tickets.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_escalation_steps.id", ondelete="CASCADE")
    )
    round: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[datetime] = mapped_column(default=utcnow)
