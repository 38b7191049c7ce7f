"""Event hooks and their delivery to plugins (the ``host.event`` job).

An event is a host hook listed in :data:`HOST_EVENTS` or a collecting hook a plugin
publishes (``crm_<slug>_*``). Each implementation of it gets a delivery job of its
own; the job calls that one implementation with the event's payload, with
:func:`current_delivery` telling the handler which delivery it is running.

An event whose hookspec declares ``customer_ids`` concerns customers: it is also
delivered to the implementations of :data:`ABOUT_CUSTOMERS`, which learn the event's
name, its customers and its payload without naming the event in a hook of their own
(:func:`customer_events` lists those events with their publishers' labels).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

from crm_host.core.models import OutboxEvent
from crm_host.event_labels import EventLabel, label_of
from crm_host.plugins.facade import PluginManager
from crm_host.runtime.context import JobContext

#: The host's own events (see :mod:`crm_host.hookspecs`).
HOST_EVENTS = (
    "crm_customers_created",
    "crm_customers_updated",
    "crm_customers_imported",
    "crm_customer_merged",
    "crm_customer_stage_changed",
    "crm_customer_erased",
)


#: The host hook every event that declares ``customer_ids`` is delivered to as well.
ABOUT_CUSTOMERS = "crm_event_about_customers"
#: The argument that makes an event one about customers.
CUSTOMER_IDS = "customer_ids"


class EventError(LookupError):
    """An event that cannot be emitted or delivered; the message says why."""


@dataclass(frozen=True)
class Delivery:
    """The delivery a handler is running: use ``idempotency_key`` to do its work once."""

    event_id: int
    event_name: str
    plugin: str
    idempotency_key: str
    #: This attempt's number, from 1; more than 1 means an earlier attempt failed.
    attempt: int


_current: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar(
    "crm_delivery", default=None
)


def current_delivery() -> Delivery | None:
    """The event delivery being handled, inside an event hook implementation; else ``None``.

    Delivery is at least once: a handler that must not act twice records
    ``current_delivery().idempotency_key`` with its effects and skips keys it has seen.
    """
    return _current.get()


def event_names(plugins: PluginManager) -> list[str]:
    """Every event of this installation: the host's and those the loaded plugins publish."""
    names = list(HOST_EVENTS)
    for name, caller in sorted(vars(plugins.hook).items()):
        if is_plugin_event(plugins, name) and caller.spec is not None:
            names.append(name)
    return names


@dataclass(frozen=True)
class CustomerEvent:
    """An event about customers: its hook, who publishes it and how it is presented."""

    name: str
    #: The publishing plugin's name; ``None`` for the host's own events.
    plugin: str | None
    label: EventLabel


def customer_events(plugins: PluginManager) -> list[CustomerEvent]:
    """Every event of this installation whose hookspec declares ``customer_ids``, with
    the label its publisher gave it (:func:`crm_host.event_labels.event_label`; the
    hook's name when it gave none), in the order of :func:`event_names`."""
    found = []
    for name in event_names(plugins):
        spec = getattr(plugins.hook, name).spec
        if CUSTOMER_IDS not in spec.argnames:
            continue
        owner = plugins.owner_of_hook(name)
        label = label_of(spec.function) or EventLabel(name)
        found.append(CustomerEvent(name, owner.name if owner else None, label))
    return found


def arguments_of(event_name: str, payload: dict[str, Any], hook: str) -> dict[str, Any]:
    """What a delivery of ``hook`` for event ``event_name`` passes: the payload's entries,
    or for :data:`ABOUT_CUSTOMERS` the event's name, customers and payload.

    Hooks only gain arguments, so an event written before its hook gained one lacks
    it: a missing ``customer_ids`` is an empty list, any other missing argument
    ``None`` — an old event is delivered, never failed for its age.
    """
    customers = [int(i) for i in payload.get(CUSTOMER_IDS) or ()]
    if hook == ABOUT_CUSTOMERS:
        return {"event": event_name, CUSTOMER_IDS: customers, "payload": payload}
    return {**payload, CUSTOMER_IDS: customers} if CUSTOMER_IDS not in payload else payload


def is_plugin_event(plugins: PluginManager, name: str) -> bool:
    """Whether ``name`` is a collecting hook published by a plugin (not a command)."""
    caller = getattr(plugins.hook, name, None)
    spec = getattr(caller, "spec", None)
    if spec is None or name in plugins.host_hooks or not name.startswith("crm_"):
        return False
    return not spec.opts.get("firstresult") and not spec.opts.get("historic")


def check_event(plugins: PluginManager, name: str) -> tuple[str, ...]:
    """The argument names of event ``name``; :class:`EventError` when it is not an event."""
    caller = getattr(plugins.hook, name, None)
    spec = getattr(caller, "spec", None)
    if spec is None:
        raise EventError(
            f"no event named {name}: it is neither a host event nor published by an "
            "installed plugin"
        )
    if name not in HOST_EVENTS and not is_plugin_event(plugins, name):
        kind = "a command (first-result)" if spec.opts.get("firstresult") else "not an event"
        raise EventError(f"{name} is {kind}; call it through the plugin manager, do not emit it")
    return tuple(spec.argnames)


def deliver_event(job: JobContext) -> None:
    """The ``host.event`` job: call one plugin's implementation of one event."""
    from crm_host.core.host import host_of

    plugins = host_of(job.session).plugins
    hook, function_name = job.args["hook"], job.args["function"]
    event = job.session.get(OutboxEvent, job.event_id) if job.event_id else None
    if event is None:
        raise EventError(f"event {job.event_id} no longer exists")
    payload = dict(event.payload)
    # Release the read before the handler runs: on SQLite any transaction holds the
    # write lock, and a handler may take its time (or call out to the network).
    job.session.commit()
    found = _handler(plugins, event.name, hook, function_name, job.plugin or "")
    if found is None:
        raise EventError(
            f"plugin {job.plugin} is not loaded or no longer implements {hook} ({function_name})"
        )
    hook, function, argnames = found
    token = _current.set(
        Delivery(event.id, event.name, job.plugin or "", job.idempotency_key or "", job.attempt)
    )
    arguments = arguments_of(event.name, payload, hook)
    try:
        function(**{a: arguments.get(a) for a in argnames})
    finally:
        _current.reset(token)


def _handler(
    plugins: PluginManager, event_name: str, hook: str, function_name: str, plugin: str
) -> tuple[str, Any, tuple[str, ...]] | None:
    """The (hook, function, argument names) a delivery calls; ``None`` when gone.

    A plugin that has moved from a hook of its own for an event about customers to
    :data:`ABOUT_CUSTOMERS` (marketing's journeys did) still gets the deliveries
    queued before its upgrade: they go to its handler of every such event.
    """
    for _plugin, function, argnames in plugins.implementations(hook, [plugin]):
        if function.__qualname__ == function_name:
            return hook, function, argnames
    spec = getattr(getattr(plugins.hook, event_name, None), "spec", None)
    if hook == event_name and spec is not None and CUSTOMER_IDS in spec.argnames:
        for _plugin, function, argnames in plugins.implementations(ABOUT_CUSTOMERS, [plugin]):
            return ABOUT_CUSTOMERS, function, argnames
    return None
