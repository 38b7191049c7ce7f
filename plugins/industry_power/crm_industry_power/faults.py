"""Fault repair: a reported fault is always recorded here; when the service plugin is
installed it also becomes a ``fault_repair`` ticket through ``crm_service_open_ticket``.

Every fault starts an ``arrival`` clock on the host's SLA engine — the utility's
on-site commitment: 45 minutes in town, 90 in the country, 2 hours in remote areas
(``POWER_ARRIVAL_MINUTES`` in the configuration changes them) — and the crew's
check-in stops it. A schedule marks clocks that ran out, each once.

The pack lists ``service`` in ``uses``, not ``requires``: without it the hook does not
exist on the plugin manager and the fault stays a local record the power desk follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Conflict,
    NotFound,
    SlaClock,
    User,
    audit,
    clocks,
    host_of,
    timeline,
    utcnow,
)
from crm_host.sdk import validation as check
from crm_industry_power.models import AREAS, Account, Fault

PLUGIN = "industry_power"
TICKET_TYPE = "fault_repair"
CLOCK_OBJECT = "power_fault"
ARRIVAL = "arrival"
#: Minutes from the report until a crew must be on site, by area.
ARRIVAL_MINUTES = {"urban": 45, "rural": 90, "remote": 120}


def arrival_target(area: str, settings: Mapping[str, Any] | None = None) -> timedelta:
    """How long a crew may take to reach a fault in ``area``."""
    minutes = {**ARRIVAL_MINUTES, **dict((settings or {}).get("POWER_ARRIVAL_MINUTES") or {})}
    return timedelta(minutes=int(minutes[area]))


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
    settings: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Fault:
    """Record a fault at the account's service point, start its arrival clock and, with
    service, open its ticket. ``settings``: the application's configuration."""
    errors: check.Errors = {}
    description = check.text(
        data.get("description"),
        "description",
        errors,
        max_length=4000,
        required=True,
        multiline=True,
    )
    phone = check.text(data.get("contact_phone"), "contact_phone", errors, max_length=32)
    area = check.choice(data.get("area") or "urban", "area", errors, AREAS)
    check.fail_if(errors, "the fault report is not valid")
    at = at or utcnow()
    fault = Fault(
        area=area,
        reported_at=at,
        account_id=account.id,
        customer_id=account.customer_id,
        description=description,
        contact_phone=phone,
        status="recorded",
        reported_by_id=actor.id if actor else None,
    )
    session.add(fault)
    session.flush()
    clocks.start_clock(
        session, CLOCK_OBJECT, fault.id, ARRIVAL, target=arrival_target(area, settings), at=at
    )
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
            about=("power.fault", fault.id),
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


def get_fault(session: Session, fault_id: int) -> Fault:
    """The fault with this id, or 404."""
    fault = session.get(Fault, fault_id)
    if fault is None:
        raise NotFound(f"no fault with id {fault_id}")
    return fault


def check_in(
    session: Session, fault: Fault, *, at: datetime | None = None, actor: User | None = None
) -> Fault:
    """The crew is on site: stop the arrival clock (once; a second check-in is a conflict)."""
    if fault.arrived_at is not None:
        raise Conflict(
            f"the crew checked in at fault {fault.id} already",
            details={"arrived_at": ["Checked in already."]},
        )
    at = at or utcnow()
    clocks.stop_clock(session, CLOCK_OBJECT, fault.id, ARRIVAL, at=at)
    fault.arrived_at = at
    audit.record(
        session,
        "arrive",
        Fault.__tablename__,
        fault.id,
        after={"arrived_at": at},
        actor=actor,
        plugin=PLUGIN,
    )
    session.flush()
    return fault


def arrival(session: Session, fault: Fault) -> dict[str, Any]:
    """The arrival clock of a fault: due time, whether it was met or breached."""
    row = session.scalar(
        sa.select(SlaClock).where(
            SlaClock.object_type == CLOCK_OBJECT,
            SlaClock.object_id == str(fault.id),
            SlaClock.name == ARRIVAL,
        )
    )
    if row is None:  # reported before the arrival clock existed
        return {"due_at": None, "arrived_at": fault.arrived_at, "breached": False}
    state = clocks.clock_state(session, CLOCK_OBJECT, fault.id, ARRIVAL)
    # The clock runs on the 24x7 calendar: due is simply start + target.
    return {
        "due_at": row.started_at + timedelta(seconds=row.target_seconds),
        "arrived_at": fault.arrived_at,
        "breached": state.is_breached(fault.arrived_at or utcnow()),
    }


def check_arrivals(session: Session, now: datetime | None = None) -> list[int]:
    """Mark arrival clocks that ran out (each once); returns the faults newly breached."""
    breached = clocks.detect_breaches(session, now, object_type=CLOCK_OBJECT)
    return [int(row.object_id) for row in breached if row.name == ARRIVAL]
