"""The events a journey may start from, and how each one names its customers.

Any event whose hookspec declares ``customer_ids`` can start a journey: the host
delivers every such event to marketing's ``crm_event_about_customers`` with its
customers, and lists them with the label the publishing plugin gave the hookspec
(:func:`crm_host.sdk.customer_events`). Marketing names none of them; a plugin
publishes a new trigger by declaring ``customer_ids`` on its event and labelling it
with ``crm_host.sdk.event_label``.

Two host events say which customers they concern differently and carry something
worth choosing on, so they keep a row of their own here: a customer change (of a
chosen field) and a lifecycle stage change (to a chosen stage). A customer id that no
longer exists (merged, erased) is dropped when enrolling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crm_host.sdk import CustomerEvent, LifecycleStage, customer_events, host_of
from crm_host.sdk.customers import AUDITED_FIELDS
from crm_marketing.i18n import _l

#: ``(payload, value)`` → the customers the event names that meet ``value``
#: (``None``: any).
Finder = Callable[[Mapping[str, Any], "str | None"], list[int]]


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


def listed(choose_on: str | None = None) -> Finder:
    """The payload's ``customer_ids``; with ``choose_on``, only when that payload entry
    equals the journey's value."""

    def find(payload: Mapping[str, Any], value: str | None) -> list[int]:
        if choose_on is not None and value is not None and payload.get(choose_on) != value:
            return []
        return [int(i) for i in payload.get("customer_ids") or ()]

    return find


def new_stage(payload: Mapping[str, Any], value: str | None) -> list[int]:
    """The customer of ``crm_customer_stage_changed`` when the new stage is ``value``."""
    if value is not None and payload.get("new") != value:
        return []
    return [int(payload["customer_id"])] if payload.get("customer_id") is not None else []


def changed_field(payload: Mapping[str, Any], value: str | None) -> list[int]:
    """Customers of ``crm_customers_updated`` whose change touched the field ``value``."""
    return [
        int(change["customer_id"])
        for change in payload.get("changes") or ()
        if value is None or value in (change.get("changed") or {})
    ]


STAGES = tuple(stage.value for stage in LifecycleStage)
CUSTOMER_FIELDS = (*AUDITED_FIELDS, "departments", "tags")

#: Host events that name customers in their own way (not ``customer_ids``).
OWN_ROWS: dict[str, Trigger] = {
    row.event: row
    for row in (
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
            new_stage,
            option=_l("New stage"),
            choices=STAGES,
        ),
    )
}


def from_event(event: CustomerEvent) -> Trigger:
    """The trigger of an event about customers, as its publisher labelled it."""
    label = event.label
    return Trigger(
        event.name,
        label.label,
        event.plugin,
        listed(label.choose_on),
        option=label.option,
        choices=label.choices,
    )


def available(session: Session) -> list[Trigger]:
    """The triggers this installation can deliver: the host's events, then every event
    about customers a loaded plugin publishes (a journey on an event nobody publishes
    would never start)."""
    try:
        plugins = host_of(session).plugins
    except (KeyError, RuntimeError):
        # A session outside any application (a script): only the host's own rows.
        return list(OWN_ROWS.values())
    found = [from_event(event) for event in customer_events(plugins)]
    host = [t for t in found if t.plugin is None]
    own = [row for name, row in OWN_ROWS.items() if name not in {t.event for t in host}]
    return host + own + [t for t in found if t.plugin is not None]


def labels(session: Session) -> dict[str, Any]:
    """Each available event's label, by hook name (for pages listing journeys)."""
    return {t.event: t.label for t in available(session)}


def find(session: Session, event: str) -> Trigger | None:
    """The available trigger of ``event``; ``None`` when it cannot start a journey."""
    return next((t for t in available(session) if t.event == event), None)


def customers_of(trigger: Trigger, payload: Mapping[str, Any], value: str | None) -> list[int]:
    """The customers an event names that meet a journey's ``value``, without repeats."""
    return list(dict.fromkeys(trigger.find(payload, value)))
