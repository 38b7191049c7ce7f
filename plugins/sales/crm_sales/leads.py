"""Leads: capture, status flow, scoring and assignment, and conversion into a customer.

The status flow is new → contacted → qualified → converted, with disqualified
(needing a reason) reachable from every open status and reopened back to new.
Conversion creates the host Customer through the host's customer service (so its
validation, guards, audit and events apply), a Contact for an organisation, and an
Opportunity — all in the caller's transaction, with the lead marked converted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Customer,
    Department,
    NotFound,
    User,
    ValidationFailed,
    audit,
    blind_phones,
    emit,
    timeline,
    utcnow,
)
from crm_host.sdk import validation as check
from crm_host.sdk.customers import customer_children as children
from crm_host.sdk.customers import customer_service as customers
from crm_sales import assignment, checks, pipeline, scoring
from crm_sales.models import Lead, LeadStatus, Opportunity

#: Status → the statuses a lead may move to by hand (conversion has its own path).
TRANSITIONS: dict[LeadStatus, tuple[LeadStatus, ...]] = {
    LeadStatus.NEW: (LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED),
    LeadStatus.CONTACTED: (LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED),
    LeadStatus.QUALIFIED: (LeadStatus.CONTACTED, LeadStatus.DISQUALIFIED),
    LeadStatus.DISQUALIFIED: (LeadStatus.NEW,),
    LeadStatus.CONVERTED: (),
}
#: Fields that feed the score: changing one recomputes it.
SCORED = ("name", "company", "email", "phone", "source", "campaign")
AUDITED = (*SCORED, "status", "disqualified_reason", "score", "owner_id", "department_id")


def snapshot(lead: Lead) -> dict[str, Any]:
    """The audited fields of a lead."""
    return {name: getattr(lead, name) for name in AUDITED}


def get_lead(session: Session, lead_id: int) -> Lead:
    """The lead with this id, or :class:`NotFound`."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead with id {lead_id}")
    return lead


def _clean(session: Session, data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: check.Errors = {}
    clean: dict[str, Any] = {}
    limits = {"name": 200, "company": 200, "email": 320, "phone": 32, "source": 64}
    limits["campaign"] = 100
    for field, limit in limits.items():
        if field in data or (field == "name" and not partial):
            clean[field] = check.text(
                data.get(field), field, errors, max_length=limit, required=field == "name"
            )
    email = clean.get("email")
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        errors["email"] = ["Not an email address."]
    if "owner_id" in data:
        clean["owner_id"] = checks.user_id(session, data["owner_id"], "owner_id", errors)
    if "department" in data:
        clean["department_id"] = checks.department_id(
            session, data["department"], "department", errors
        )
    check.fail_if(errors, "the lead is not valid")
    return clean


def clean_fields(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    """A new lead's fields checked and cleaned; ``ValidationFailed`` names each bad one."""
    return _clean(session, data, partial=False)


def create_lead(session: Session, data: Mapping[str, Any], *, actor: User | None = None) -> Lead:
    """Capture a lead: validated, scored, and — without an owner — given to a sales user
    of its department (in turn, or the least loaded below capacity). When nobody can take
    it, ``lead.unassigned_reason`` says why."""
    clean = _clean(session, data, partial=False)
    lead = Lead(**clean, status=LeadStatus.NEW)
    scoring.rescore(session, lead)
    unassigned = None
    if lead.owner_id is None and lead.department_id is not None:
        lead.owner_id, unassigned = assignment.choose_owner(session, lead.department_id)
    session.add(lead)
    session.flush()
    after = snapshot(lead)
    if unassigned:
        after["unassigned"] = unassigned
    audit.record(session, "create", "sales_lead", lead.id, after=after, actor=actor, plugin="sales")
    # Not stored: the answer to the capture says why nobody got the lead.
    lead.unassigned_reason = unassigned  # type: ignore[attr-defined]
    return lead


def update_lead(
    session: Session, lead: Lead, data: Mapping[str, Any], *, actor: User | None = None
) -> Lead:
    """Change a lead's fields; the score follows the fields it is computed from."""
    if lead.status is LeadStatus.CONVERTED:
        raise ValidationFailed("a converted lead cannot change; work on its customer instead")
    before = snapshot(lead)
    clean = _clean(session, data, partial=True)
    for key, value in clean.items():
        setattr(lead, key, value)
    if any(key in SCORED for key in clean):
        scoring.rescore(session, lead)
    session.flush()
    _audit_change(session, lead, before, actor)
    return lead


def _audit_change(session: Session, lead: Lead, before: dict[str, Any], actor: User | None) -> None:
    old, new = audit.changes(before, snapshot(lead))
    if new:
        audit.record(
            session,
            "update",
            "sales_lead",
            lead.id,
            before=old,
            after=new,
            actor=actor,
            plugin="sales",
        )


def set_status(
    session: Session,
    lead: Lead,
    status: str,
    *,
    reason: str | None = None,
    actor: User | None = None,
) -> Lead:
    """Move a lead along the status flow; disqualifying needs a reason."""
    try:
        target = LeadStatus(status)
    except ValueError:
        raise ValidationFailed(
            "unknown status", details={"status": [f"No status {status!r}."]}
        ) from None
    if target is LeadStatus.CONVERTED:
        raise ValidationFailed(
            "convert the lead to make it converted",
            details={"status": ["Use the conversion, which creates the customer."]},
        )
    if target is not lead.status and target not in TRANSITIONS[lead.status]:
        raise ValidationFailed(
            f"a {lead.status.value} lead cannot become {target.value}",
            details={"status": [f"From {lead.status.value}: " + _allowed(lead.status)]},
        )
    errors: check.Errors = {}
    cleaned_reason = check.text(reason, "reason", errors, max_length=300)
    if target is LeadStatus.DISQUALIFIED and not cleaned_reason:
        errors["reason"] = ["Say why the lead is disqualified."]
    check.fail_if(errors, "the status change is not valid")
    before = snapshot(lead)
    lead.status = target
    lead.disqualified_reason = cleaned_reason if target is LeadStatus.DISQUALIFIED else None
    session.flush()
    _audit_change(session, lead, before, actor)
    return lead


def _allowed(status: LeadStatus) -> str:
    return ", ".join(s.value for s in TRANSITIONS[status]) or "nothing"


def duplicates(session: Session, lead: Lead, *, by_phone: bool = True) -> list[Customer]:
    """Customers sharing the lead's email or phone: check these before converting.

    ``by_phone=False`` leaves the phone out: a lead typed with someone's number must
    not tell a user who may not see phone numbers whose number it is.
    """
    conditions = []
    if lead.email:
        conditions.append(sa.func.lower(Customer.email) == lead.email.lower())
    if lead.phone and by_phone:
        # Customers' phones may be encrypted at rest: compare blind indexes.
        conditions.append(Customer.phone_blind.in_(blind_phones(lead.phone)))
    if not conditions:
        return []
    return list(
        session.scalars(
            sa.select(Customer).where(sa.or_(*conditions)).order_by(Customer.id).limit(20)
        )
    )


def _customer_for(
    session: Session,
    lead: Lead,
    data: Mapping[str, Any],
    department: Department | None,
    actor: User | None,
) -> Customer:
    """The customer a lead converts into: the existing one ``data`` names, or a new one
    (a company with the lead as its primary contact, or the person)."""
    if data.get("customer_id") is not None:
        return customers.get_customer(session, data["customer_id"])
    is_organisation = bool(lead.company)
    customer = customers.create_customer(
        session,
        {
            "code": data.get("customer_code") or f"SL{lead.id:06d}",
            "name": lead.company or lead.name,
            "kind": "organization" if is_organisation else "person",
            "email": lead.email,
            "phone": lead.phone,
            "lifecycle_stage": "prospect",
            "owner_id": lead.owner_id,
            "departments": [department.code] if department else [],
        },
        actor=actor,
    )
    if is_organisation:
        # The person who was the lead is who the company talks to at the customer.
        children.add_child(
            session,
            "contact",
            customer,
            {"name": lead.name, "email": lead.email, "phone": lead.phone, "is_primary": True},
            actor=actor,
        )
    return customer


def convert(
    session: Session,
    lead: Lead,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
) -> tuple[Customer, Opportunity]:
    """Convert a qualified lead into a customer and an opportunity, in one transaction.

    ``data`` may name an existing ``customer_id`` (a duplicate found beforehand) or
    give the new customer's ``customer_code``; the opportunity takes
    ``opportunity_name``, ``amount``, ``currency``, ``expected_close`` and ``stage``.
    Nothing is written unless everything is valid.
    """
    if lead.status is not LeadStatus.QUALIFIED:
        raise ValidationFailed(
            f"only a qualified lead can be converted; this one is {lead.status.value}",
            details={"status": ["Qualify the lead first."]},
        )
    department = session.get(Department, lead.department_id) if lead.department_id else None
    customer = _customer_for(session, lead, data, department, actor)
    opportunity_data: dict[str, Any] = {
        "name": data.get("opportunity_name") or f"{customer.name}: {lead.name}",
        "customer_id": customer.id,
        "owner_id": lead.owner_id,
    }
    for key in ("amount", "currency", "expected_close", "stage"):
        if data.get(key) is not None:
            opportunity_data[key] = data[key]
    if department is not None:
        opportunity_data["department"] = department.id
    opportunity = pipeline.create_opportunity(
        session, opportunity_data, actor=actor, lead_id=lead.id
    )
    before = snapshot(lead)
    lead.status = LeadStatus.CONVERTED
    lead.customer_id = customer.id
    lead.converted_at = utcnow()
    session.flush()
    _audit_change(session, lead, before, actor)
    timeline.add_entry(
        session,
        customer_id=customer.id,
        channel="note",
        subject=f"Converted from lead #{lead.id} ({lead.source or 'no source'})",
        source_plugin="sales",
        author=actor,
        about=("sales.lead", lead.id),
    )
    emit(
        session,
        "crm_sales_lead_converted",
        lead_id=lead.id,
        customer_id=customer.id,
        opportunity_id=opportunity.id,
        customer_ids=[customer.id],
    )
    return customer, opportunity
