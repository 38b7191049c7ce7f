"""Consent per channel, with its history: every decision is a new row; the newest one counts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.errors import ValidationFailed
from crm_host.core.models import Consent, Customer, User
from crm_host.records import audit

CHANNELS = ("email", "sms", "phone", "post", "wechat", "push")


def record_consent(
    session: Session,
    customer: Customer,
    *,
    channel: str,
    granted: bool,
    source: str = "",
    actor: User | None = None,
) -> Consent:
    """Record a consent decision for one channel; the history keeps every earlier one."""
    if channel not in CHANNELS:
        raise ValidationFailed(
            "unknown channel", details={"channel": ["Must be one of: " + ", ".join(CHANNELS) + "."]}
        )
    if len(source) > 100:
        raise ValidationFailed("source too long", details={"source": ["At most 100 characters."]})
    consent = Consent(
        customer_id=customer.id,
        channel=channel,
        granted=granted,
        source=source,
        recorded_by_id=actor.id if actor else None,
    )
    session.add(consent)
    session.flush()
    audit.record(
        session,
        "consent",
        "customer",
        customer.id,
        after={"channel": channel, "granted": granted, "source": source},
        actor=actor,
    )
    return consent


def current_consents(session: Session, customer_id: int) -> dict[str, bool]:
    """The consent in force per channel (the newest decision); absent channels have none."""
    newest = (
        sa.select(Consent.channel, sa.func.max(Consent.id).label("id"))
        .where(Consent.customer_id == customer_id)
        .group_by(Consent.channel)
        .subquery()
    )
    rows = session.execute(
        sa.select(Consent.channel, Consent.granted).join(newest, newest.c.id == Consent.id)
    )
    return {channel: granted for channel, granted in rows}


def consent_history(session: Session, customer_id: int) -> list[Consent]:
    """Every consent decision of a customer, newest first."""
    return list(
        session.scalars(
            sa.select(Consent).where(Consent.customer_id == customer_id).order_by(Consent.id.desc())
        )
    )
