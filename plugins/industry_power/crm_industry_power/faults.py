"""Fault repair: a reported fault is always recorded here; when the service plugin is
installed it also becomes a ``fault_repair`` ticket through ``crm_service_open_ticket``.

The pack lists ``service`` in ``uses``, not ``requires``: without it the hook does not
exist on the plugin manager and the fault stays a local record the power desk follows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host import audit, timeline
from crm_host.errors import ValidationFailed
from crm_host.host import host_of
from crm_host.models import User
from crm_industry_power.models import Account, Fault

PLUGIN = "industry_power"
TICKET_TYPE = "fault_repair"


def open_ticket(session: Session, **arguments: Any) -> int | None:
    """Ask whoever implements ``crm_service_open_ticket`` for a ticket; ``None`` if nobody."""
    caller = getattr(host_of(session).plugins.hook, "crm_service_open_ticket", None)
    if caller is None:  # the service plugin is not installed: the hook is unknown
        return None
    return caller(**arguments)


def report_fault(
    session: Session,
    account: Account,
    data: dict[str, Any],
    *,
    actor: User | None = None,
) -> Fault:
    """Record a fault at the account's service point and, with service, open its ticket."""
    description = str(data.get("description") or "").strip()
    errors: dict[str, list[str]] = {}
    if not 1 <= len(description) <= 4000:
        errors["description"] = ["1–4000 characters."]
    phone = data.get("contact_phone")
    if phone is not None and not 1 <= len(str(phone)) <= 32:
        errors["contact_phone"] = ["At most 32 characters."]
    if errors:
        raise ValidationFailed("the fault report is not valid", details=errors)
    fault = Fault(
        account_id=account.id,
        customer_id=account.customer_id,
        description=description,
        contact_phone=phone,
        status="recorded",
        reported_by_id=actor.id if actor else None,
    )
    session.add(fault)
    session.flush()
    subject = f"Fault at {account.number}: {account.service_point}"[:200]
    ticket_id = open_ticket(
        session,
        customer_id=account.customer_id,
        ticket_type=TICKET_TYPE,
        subject=subject,
        description=description + (f"\nContact: {phone}" if phone else ""),
        sla_policy=None,
        source=PLUGIN,
    )
    if ticket_id is not None:
        fault.ticket_id, fault.status = ticket_id, "ticketed"
    else:
        # Without a ticket, the customer's timeline is where colleagues see the fault.
        timeline.add_entry(
            session,
            customer_id=account.customer_id,
            channel="system",
            subject=subject,
            body=description,
            source_plugin=PLUGIN,
            author=actor,
            reference=f"power-fault:{fault.id}",
        )
    audit.record(
        session,
        "report",
        Fault.__tablename__,
        fault.id,
        after={"account": account.number, "ticket_id": ticket_id},
        actor=actor,
        plugin=PLUGIN,
    )
    session.flush()
    return fault


def ticket_resolved(session: Session, ticket_id: int) -> int:
    """Mark the faults of a resolved service ticket resolved; idempotent. Returns how many."""
    result = session.execute(
        sa.update(Fault)
        .where(Fault.ticket_id == ticket_id, Fault.status != "resolved")
        .values(status="resolved")
    )
    return result.rowcount or 0
