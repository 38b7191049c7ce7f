"""Privacy rights: what we hold about a customer (export) and forgetting it (erasure).

Erasure is pseudonymisation, not deletion: the customer row, its code and what
accounting needs stay; names, contact details, free text and the personal values in
the audit log go. It is idempotent, so a retried erasure is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import ValidationFailed
from crm_host.core.host import host_of
from crm_host.core.models import (
    Address,
    AuditLog,
    Consent,
    Contact,
    Customer,
    Interaction,
    User,
    customer_tags,
)
from crm_host.core.scrubbing import ERASED, scrub_json_column
from crm_host.domain.customers.rules import PERSONAL_FIELDS
from crm_host.domain.customers.service import AUDITED_FIELDS, get_customer, snapshot
from crm_host.records import audit


def _rows(session: Session, model: Any, customer_id: int) -> list[dict[str, Any]]:
    objects = session.scalars(sa.select(model).where(model.customer_id == customer_id))
    return [
        {c.key: audit.jsonable(getattr(o, c.key)) for c in model.__table__.columns} for o in objects
    ]


def export_customer(session: Session, customer_id: int) -> dict[str, Any]:
    """Everything held about one customer, host and every installed plugin, as JSON data."""
    customer = get_customer(session, customer_id)
    data: dict[str, Any] = {
        "customer": audit.jsonable(snapshot(customer)) | {"id": customer.id},
        "contacts": _rows(session, Contact, customer.id),
        "addresses": _rows(session, Address, customer.id),
        "consents": _rows(session, Consent, customer.id),
        "timeline": _rows(session, Interaction, customer.id),
        "plugins": {},
    }
    for name, function, argnames in host_of(session).plugins.implementations("crm_customer_export"):
        kwargs = {"customer_id": customer.id}
        result = function(**{a: kwargs[a] for a in argnames})
        if result:
            data["plugins"][name] = audit.jsonable(result)
    return data


def personal_values(customer: Customer) -> set[str]:
    """The personal strings of a customer and its contacts and addresses (to scrub elsewhere)."""
    values = {customer.name}
    values |= {str(getattr(customer, f)) for f in PERSONAL_FIELDS if getattr(customer, f)}
    for contact in customer.contacts:
        values |= {v for v in (contact.name, contact.email, contact.phone, contact.title) if v}
    for address in customer.addresses:
        values |= {v for v in (address.line1, address.line2, address.postal_code) if v}
    values.discard(ERASED)
    return {v for v in values if len(v) >= 2}


def erase_customer(session: Session, customer: Customer, *, actor: User | None = None) -> Customer:
    """Pseudonymise a customer everywhere; running it again changes nothing more."""
    secrets = personal_values(customer)
    for name, function, argnames in host_of(session).plugins.implementations(
        "crm_customer_erasing"
    ):
        kwargs: dict[str, Any] = {"customer": customer, "session": session}
        try:
            function(**{a: kwargs[a] for a in argnames})
        except Exception as error:
            raise ValidationFailed(f"plugin {name} could not erase its data: {error}") from error

    customer.name = f"{ERASED} {customer.code}"
    for field in PERSONAL_FIELDS:
        setattr(customer, field, None)
    customer.custom = {}
    customer.preferences = {}
    session.execute(sa.delete(Contact).where(Contact.customer_id == customer.id))
    session.execute(sa.delete(Address).where(Address.customer_id == customer.id))
    session.execute(customer_tags.delete().where(customer_tags.c.customer_id == customer.id))
    session.execute(
        sa.update(Interaction)
        .where(Interaction.customer_id == customer.id)
        .values(subject=ERASED, body=None)
    )
    session.flush()
    if secrets:
        with audit.scrubbing(session):
            scrub_json_column(
                session, AuditLog.__table__.c.before, AuditLog.__table__.c.id, secrets
            )
            scrub_json_column(session, AuditLog.__table__.c.after, AuditLog.__table__.c.id, secrets)
            for scrubber in host_of(session).scrubbers:
                scrubber(session, secrets)
    session.expire(customer)
    with audit.scrubbing(session):
        audit.record(
            session,
            "erase",
            "customer",
            customer.id,
            after={"erased_at": utcnow(), "fields": list(AUDITED_FIELDS)},
            actor=actor,
        )
    return customer


def plugins_without_export(session: Session, installed: Iterable[Any]) -> list[str]:
    """Installed plugins whose tables refer to customers but that do not implement the export."""
    inspector = sa.inspect(session.connection())
    implementing = {
        name for name, _f, _a in host_of(session).plugins.implementations("crm_customer_export")
    }
    missing = []
    for manifest in installed:
        prefix = f"{manifest.slug}_"
        holds = any(
            fk["referred_table"] == "customers"
            for table in inspector.get_table_names()
            if table.startswith(prefix)
            for fk in inspector.get_foreign_keys(table)
        )
        if holds and manifest.name not in implementing:
            missing.append(manifest.name)
    return missing
