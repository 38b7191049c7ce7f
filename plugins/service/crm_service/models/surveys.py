"""Satisfaction surveys of resolved tickets."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow


class Survey(Base):
    """The satisfaction survey of a resolved ticket: one per ticket, answered once.

    Its link is a signed token naming the survey, made whenever it is shown or
    mailed, so no credential is stored; the answer columns stay empty until the
    customer answers.
    """

    __tablename__ = "service_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_tickets.id", ondelete="CASCADE"), unique=True
    )
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the link was put in the customer's mail outbox (once, whatever redelivers).
    mailed_at: Mapped[datetime | None]
    #: Customer satisfaction, 1 (very unhappy) to 5 (very happy).
    csat: Mapped[int | None]
    #: How likely the customer recommends the company, 0 to 10 (optional).
    nps: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None]
    #: The ticket a low score opened.
    follow_up_ticket_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("service_tickets.id", ondelete="SET NULL")
    )
