"""The customer timeline: the one API through which the host and plugins record touchpoints.

An entry is shown to users whose departments have its source plugin enabled; host
entries (``source_plugin=None``) to everyone who may see the customer.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.db import utcnow
from crm_host.errors import ValidationFailed
from crm_host.models import Interaction, User

CHANNELS = (
    "phone",
    "email",
    "sms",
    "visit",
    "meeting",
    "portal",
    "web",
    "chat",
    "letter",
    "note",
    "system",
    "order",
    "ticket",
    "campaign",
    "meter",
)
DIRECTIONS = ("inbound", "outbound", "internal")


def add_entry(
    session: Session,
    *,
    customer_id: int,
    channel: str,
    subject: str,
    source_plugin: str | None = None,
    direction: str = "internal",
    body: str | None = None,
    occurred_at: datetime | None = None,
    author: User | None = None,
    reference: str | None = None,
) -> Interaction:
    """Record a touchpoint on a customer's timeline in the caller's transaction."""
    errors: dict[str, list[str]] = {}
    if channel not in CHANNELS:
        errors["channel"] = ["Must be one of: " + ", ".join(CHANNELS) + "."]
    if direction not in DIRECTIONS:
        errors["direction"] = ["Must be one of: " + ", ".join(DIRECTIONS) + "."]
    if not subject or not subject.strip() or len(subject) > 300:
        errors["subject"] = ["Required, at most 300 characters."]
    if body is not None and len(body) > 100_000:
        errors["body"] = ["At most 100,000 characters."]
    if errors:
        raise ValidationFailed("the timeline entry is not valid", details=errors)
    entry = Interaction(
        customer_id=customer_id,
        source_plugin=source_plugin,
        channel=channel,
        direction=direction,
        subject=subject.strip(),
        body=body,
        occurred_at=occurred_at or utcnow(),
        author_id=author.id if author else None,
        reference=reference,
    )
    session.add(entry)
    session.flush()
    return entry


def visible_to(plugins: set[str]) -> sa.ColumnElement[bool]:
    """The condition for entries visible to a user whose departments have ``plugins``."""
    return sa.or_(Interaction.source_plugin.is_(None), Interaction.source_plugin.in_(plugins))
