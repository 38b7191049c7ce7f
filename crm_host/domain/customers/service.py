"""Creating, changing and archiving customers: validation, guards, audit — one path for all.

The API, the console, the CLI and jobs call these functions; none writes a customer
itself. Plugins' guards (``crm_validate_customers``) run inside the transaction and
can veto the write; the error names the plugin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core import sensitive
from crm_host.core.db import utcnow
from crm_host.core.errors import Conflict, NotFound, ValidationFailed
from crm_host.core.host import host_of
from crm_host.core.models import Customer, Department, Tag, User
from crm_host.domain.customers.custom_fields import clean_custom, definitions
from crm_host.domain.customers.rules import FIELDS, clean_customer
from crm_host.records import audit
from crm_host.runtime.facade import emit

#: Fields shown in audit entries and returned by the API.
AUDITED_FIELDS = (*FIELDS, "parent_id", "owner_id", "custom")


def snapshot(customer: Customer) -> dict[str, Any]:
    """The audited fields of a customer, with departments and tags by name."""
    values = {name: getattr(customer, name) for name in AUDITED_FIELDS}
    if sensitive.cipher() is not None:
        # Encrypted at rest means not in clear in the audit log either.
        for name in ("phone", "id_number"):
            values[name] = sensitive.mask(values[name])
    values["departments"] = sorted(d.code for d in customer.departments)
    values["tags"] = sorted(t.name for t in customer.tags)
    return values


def get_customer(session: Session, customer_id: int, *, include_archived: bool = True) -> Customer:
    """The customer with this id, or :class:`NotFound`."""
    customer = session.get(Customer, customer_id)
    if customer is None or (customer.archived_at is not None and not include_archived):
        raise NotFound(f"no customer with id {customer_id}")
    return customer


def _references(
    session: Session, data: Mapping[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Resolve parent, owner, departments and tags given by id, code or name."""
    resolved: dict[str, Any] = {}
    if "parent_id" in data:
        parent_id = data["parent_id"]
        if parent_id is not None and session.get(Customer, parent_id) is None:
            errors["parent_id"] = [f"No customer with id {parent_id}."]
        resolved["parent_id"] = parent_id
    if "parent_code" in data:
        code = data["parent_code"]
        parent_id = None
        if code:
            parent_id = session.scalar(sa.select(Customer.id).where(Customer.code == code))
            if parent_id is None:
                errors["parent_code"] = [f"No customer with code {code!r}."]
        resolved["parent_id"] = parent_id
    if "owner_id" in data:
        owner_id = data["owner_id"]
        if owner_id is not None and session.get(User, owner_id) is None:
            errors["owner_id"] = [f"No user with id {owner_id}."]
        resolved["owner_id"] = owner_id
    if "departments" in data:
        refs = list(data["departments"] or [])
        found = list(
            session.scalars(
                sa.select(Department).where(
                    sa.or_(Department.code.in_(refs), Department.name.in_(refs))
                )
            )
        )
        known = {d.code for d in found} | {d.name for d in found}
        missing = [r for r in refs if r not in known]
        if missing:
            errors["departments"] = [f"No department {', '.join(map(repr, missing))}."]
        resolved["departments"] = found
    if "tags" in data:
        names = sorted({str(t).strip() for t in data["tags"] or [] if str(t).strip()})
        if any(len(n) > 100 for n in names):
            errors["tags"] = ["A tag has at most 100 characters."]
        else:
            existing = {
                t.name: t for t in session.scalars(sa.select(Tag).where(Tag.name.in_(names)))
            }
            resolved["tags"] = [existing.get(n) or Tag(name=n) for n in names]
    return resolved


def run_guards(session: Session, customers: Sequence[Customer]) -> None:
    """Let every installed plugin veto the batch; raise naming the plugin that did."""
    plugins = host_of(session).plugins
    for name, function, argnames in plugins.implementations("crm_validate_customers"):
        kwargs = {"customers": list(customers), "session": session}
        try:
            function(**{a: kwargs[a] for a in argnames})
        except ValidationFailed as error:
            raise ValidationFailed(
                f"plugin {name} refused the customer: {error.message}", details=error.details
            ) from error
        except Exception as error:
            raise ValidationFailed(f"plugin {name} refused the customer: {error}") from error


def create_customer(
    session: Session, data: Mapping[str, Any], *, actor: User | None = None
) -> Customer:
    """Create one customer from API-shaped data; raises :class:`ValidationFailed` with
    errors per field, or :class:`Conflict` when the code is taken."""
    clean, errors = clean_customer(data)
    refs = _references(session, data, errors)
    custom, custom_errors = clean_custom(definitions(session), data.get("custom") or {})
    errors.update(custom_errors)
    if errors:
        raise ValidationFailed("the customer is not valid", details=errors)
    if session.scalar(sa.select(Customer.id).where(Customer.code == clean["code"])) is not None:
        raise Conflict(
            f"a customer with code {clean['code']!r} exists already",
            details={"code": ["Already used by another customer."]},
        )
    customer = Customer(**clean, custom=custom)
    for key, value in refs.items():
        setattr(customer, key, value)
    session.add(customer)
    session.flush()
    run_guards(session, [customer])
    audit.record(session, "create", "customer", customer.id, after=snapshot(customer), actor=actor)
    emit(session, "crm_customers_created", customer_ids=[customer.id])
    return customer


def update_customer(
    session: Session, customer: Customer, data: Mapping[str, Any], *, actor: User | None = None
) -> Customer:
    """Change some fields of a customer; same rules as creation, audited with before/after."""
    before = snapshot(customer)
    clean, errors = clean_customer(data, partial=True)
    refs = _references(session, data, errors)
    if refs.get("parent_id") == customer.id:
        errors["parent_id"] = ["A customer cannot be its own parent."]
    custom = customer.custom
    if "custom" in data:
        custom, custom_errors = clean_custom(
            definitions(session), data.get("custom") or {}, current=customer.custom
        )
        errors.update(custom_errors)
    if errors:
        raise ValidationFailed("the customer is not valid", details=errors)
    if "code" in clean and clean["code"] != customer.code:
        taken = session.scalar(sa.select(Customer.id).where(Customer.code == clean["code"]))
        if taken is not None:
            raise Conflict(
                f"a customer with code {clean['code']!r} exists already",
                details={"code": ["Already used by another customer."]},
            )
    for key, value in {**clean, **refs}.items():
        setattr(customer, key, value)
    customer.custom = custom
    session.flush()
    run_guards(session, [customer])
    old, new = audit.changes(before, snapshot(customer))
    if new:
        audit.record(session, "update", "customer", customer.id, before=old, after=new, actor=actor)
        changed = audit.jsonable({k: [old.get(k), new[k]] for k in new})
        emit(
            session,
            "crm_customers_updated",
            changes=[{"customer_id": customer.id, "changed": changed}],
        )
        if "lifecycle_stage" in new:
            emit(
                session,
                "crm_customer_stage_changed",
                customer_id=customer.id,
                old=audit.jsonable(old.get("lifecycle_stage")),
                new=audit.jsonable(new["lifecycle_stage"]),
            )
    return customer


def archive_customer(session: Session, customer: Customer, *, actor: User | None = None) -> None:
    """Archive a customer: hidden from lists, kept with everything that refers to it."""
    if customer.archived_at is None:
        customer.archived_at = utcnow()
        audit.record(
            session,
            "archive",
            "customer",
            customer.id,
            before={"archived_at": None},
            after={"archived_at": customer.archived_at},
            actor=actor,
        )


def set_tags(
    session: Session, customer: Customer, names: Iterable[str], *, actor: User | None = None
) -> None:
    """Replace a customer's tags (created on first use)."""
    update_customer(session, customer, {"tags": list(names)}, actor=actor)
