"""The events a journey may start from, and how each one names its customers.

One row of :data:`TRIGGERS` per event: the hook's name, a label, the plugin that
publishes it (``None`` for the host), a finder that turns the event's payload into
customer ids, and — for events that carry something worth choosing on — what a journey
may require of it (the new stage of a stage change, the changed field of an update, the
clock of an SLA breach). Adding an event is one row here and a one-line hookimpl in
:mod:`crm_marketing.plugin` that hands the payload to :func:`crm_marketing.journeys.on_event`.

Finders read the host's tables (the timeline for tickets) or, for a plugin marketing
only ``uses``, that plugin's table by name without importing it; a customer id that no
longer exists (merged, erased) is dropped when enrolling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.customers.service import AUDITED_FIELDS
from crm_host.host import host_of
from crm_host.models import Interaction, LifecycleStage
from crm_host.runtime.events import event_names
from crm_marketing.i18n import _l

#: ``(session, payload, value)`` → the customers the event names that meet ``value``
#: (``None``: any).
Finder = Callable[[Session, Mapping[str, Any], "str | None"], list[int]]


@dataclass(frozen=True)
class Trigger:
    """An event journeys may start from."""

    event: str
    label: Any
    #: The plugin publishing the hook; ``None`` for the host's own events.
    plugin: str | None
    find: Finder
    #: What ``Journey.event_value`` chooses on, and its allowed values (none: no choice).
    option: Any = None
    choices: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON data for the API, the CLI and the console."""
        return {
            "event": self.event,
            "label": str(self.label),
            "plugin": self.plugin,
            "option": str(self.option) if self.option is not None else None,
            "choices": list(self.choices),
        }


def listed(key: str = "customer_ids") -> Finder:
    """The ids listed under ``key`` (batch events of the host)."""

    def find(_session: Session, payload: Mapping[str, Any], _value: str | None) -> list[int]:
        return [int(i) for i in payload.get(key) or ()]

    return find


def named(key: str = "customer_id", *, when: str | None = None) -> Finder:
    """The one id under ``key``; with ``when``, only if that payload entry equals the value."""

    def find(_session: Session, payload: Mapping[str, Any], value: str | None) -> list[int]:
        if when is not None and value is not None and payload.get(when) != value:
            return []
        return [int(payload[key])] if payload.get(key) is not None else []

    return find


def changed_field(_session: Session, payload: Mapping[str, Any], value: str | None) -> list[int]:
    """Customers of ``crm_customers_updated`` whose change touched the field ``value``."""
    return [
        int(change["customer_id"])
        for change in payload.get("changes") or ()
        if value is None or value in (change.get("changed") or {})
    ]


def customer_of_ticket(session: Session, ticket_id: int) -> int | None:
    """The customer of a service ticket, from the host's timeline (never service's tables)."""
    return session.scalar(
        sa.select(Interaction.customer_id)
        .where(
            Interaction.source_plugin == "service",
            Interaction.reference == f"service.ticket:{ticket_id}",
        )
        .order_by(Interaction.id.desc())
        .limit(1)
    )


def ticket(*, when: str | None = None) -> Finder:
    """The customer of the payload's ``ticket_id``; ``when`` as for :func:`named`."""

    def find(session: Session, payload: Mapping[str, Any], value: str | None) -> list[int]:
        if when is not None and value is not None and payload.get(when) != value:
            return []
        customer_id = customer_of_ticket(session, int(payload["ticket_id"]))
        return [customer_id] if customer_id is not None else []

    return find


def won_opportunity(session: Session, payload: Mapping[str, Any], _value: str | None) -> list[int]:
    """The customer of a deal that is still won when the event arrives (sales' table is
    read by name: sales is only in ``uses``)."""
    deal = sa.table(
        "sales_opportunities", sa.column("id"), sa.column("customer_id"), sa.column("status")
    )
    customer_id = session.scalar(
        sa.select(deal.c.customer_id).where(
            deal.c.id == int(payload["opportunity_id"]), deal.c.status == "won"
        )
    )
    return [int(customer_id)] if customer_id is not None else []


STAGES = tuple(stage.value for stage in LifecycleStage)
CUSTOMER_FIELDS = (*AUDITED_FIELDS, "departments", "tags")
CLOCKS = ("first_response", "resolution")

TRIGGERS: dict[str, Trigger] = {
    row.event: row
    for row in (
        Trigger("crm_customers_created", _l("Customer created"), None, listed()),
        Trigger("crm_customers_imported", _l("Customers imported"), None, listed()),
        Trigger(
            "crm_customers_updated",
            _l("Customer changed"),
            None,
            changed_field,
            option=_l("Changed field"),
            choices=CUSTOMER_FIELDS,
        ),
        Trigger(
            "crm_customer_stage_changed",
            _l("Lifecycle stage changed"),
            None,
            named(when="new"),
            option=_l("New stage"),
            choices=STAGES,
        ),
        Trigger("crm_sales_lead_converted", _l("Lead converted"), "sales", named()),
        Trigger("crm_sales_opportunity_won", _l("Deal won"), "sales", won_opportunity),
        Trigger("crm_service_ticket_created", _l("Ticket opened"), "service", ticket()),
        Trigger("crm_service_ticket_resolved", _l("Ticket resolved"), "service", ticket()),
        Trigger(
            "crm_service_sla_breached",
            _l("Ticket SLA breached"),
            "service",
            ticket(when="clock"),
            option=_l("SLA clock"),
            choices=CLOCKS,
        ),
    )
}


def available(session: Session) -> list[Trigger]:
    """The triggers this installation can deliver: the host's events and those the loaded
    plugins publish (a journey on a plugin that is not installed would never start)."""
    try:
        names = set(event_names(host_of(session).plugins))
    except (KeyError, RuntimeError):
        # A session outside any application (a script): offer every known event.
        return list(TRIGGERS.values())
    return [t for t in TRIGGERS.values() if t.event in names]


def customers_of(
    session: Session, event: str, payload: Mapping[str, Any], value: str | None
) -> list[int]:
    """The customers an event names that meet a journey's ``value``, without repeats."""
    return list(dict.fromkeys(TRIGGERS[event].find(session, payload, value)))
