"""Contacts and addresses of a customer: created, changed and removed with an audit entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crm_host.core import sensitive
from crm_host.core.errors import NotFound
from crm_host.core.models import Address, Contact, Customer, User
from crm_host.records import audit

CHILDREN: dict[str, type[Contact] | type[Address]] = {"contact": Contact, "address": Address}


#: Columns kept out of the audit log: blind indexes, and values encrypted at rest.
_UNAUDITED = {"created_at", "phone_blind"}
_ENCRYPTED = {"phone", "line1", "line2"}


def _fields(obj: Contact | Address) -> dict[str, Any]:
    values = {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in _UNAUDITED}
    if sensitive.cipher() is not None:
        for name in _ENCRYPTED & values.keys():
            values[name] = sensitive.mask(values[name])
    return values


def get_child(session: Session, kind: str, customer: Customer, child_id: int) -> Contact | Address:
    """The contact or address ``child_id`` of ``customer``, or :class:`NotFound`."""
    obj = session.get(CHILDREN[kind], child_id)
    if obj is None or obj.customer_id != customer.id:
        raise NotFound(f"customer {customer.id} has no {kind} {child_id}")
    return obj


def add_child(
    session: Session,
    kind: str,
    customer: Customer,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
) -> Contact | Address:
    """Add a contact or an address to ``customer``."""
    obj = CHILDREN[kind](customer_id=customer.id, **data)
    session.add(obj)
    session.flush()
    audit.record(session, "create", kind, obj.id, after=_fields(obj), actor=actor)
    return obj


def update_child(
    session: Session,
    kind: str,
    obj: Contact | Address,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
) -> Contact | Address:
    """Change fields of a contact or an address."""
    before = _fields(obj)
    for key, value in data.items():
        setattr(obj, key, value)
    session.flush()
    old, new = audit.changes(before, _fields(obj))
    if new:
        audit.record(session, "update", kind, obj.id, before=old, after=new, actor=actor)
    return obj


def remove_child(
    session: Session, kind: str, obj: Contact | Address, *, actor: User | None = None
) -> None:
    """Delete a contact or an address."""
    audit.record(session, "delete", kind, obj.id, before=_fields(obj), actor=actor)
    session.delete(obj)
    session.flush()
