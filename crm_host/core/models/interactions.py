"""The one timeline of touchpoints with a customer, written by the host and every plugin."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base, utcnow


class Interaction(Base):
    """A touchpoint: a call, an email, a ticket reply, an order, a meter visit…

    ``source_plugin`` is ``None`` for host entries (shown to everyone); a plugin's
    entries are shown to users whose departments have that plugin enabled.
    ``(object_type, object_id)`` is the registered object the entry is about (a
    ticket, an order); ``reference`` is an opaque key private to the writing plugin
    (to record a thing once) that nothing else may parse.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        sa.Index("ix_interactions_customer_occurred", "customer_id", "occurred_at"),
        sa.Index("ix_interactions_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"))
    source_plugin: Mapped[str | None] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(32))
    direction: Mapped[str] = mapped_column(sa.String(16), default="internal")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str | None] = mapped_column(sa.Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
