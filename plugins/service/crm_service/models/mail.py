"""The mail the service plugin imported: one row per Message-ID."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, utcnow


class MailMessage(Base):
    """An email that reached a ticket, kept by its Message-ID.

    The Message-ID is unique, so a file or mailbox read twice imports each mail once,
    and a reply's ``In-Reply-To``/``References`` find the ticket it answers.
    """

    __tablename__ = "service_mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(500), unique=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_tickets.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Where it came from: ``folder`` or ``imap``.
    source: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
