"""Event hooks and their delivery to plugins (the ``host.event`` job).

An event is a host hook listed in :data:`HOST_EVENTS` or a collecting hook a plugin
publishes (``crm_<slug>_*``). Each implementation of it gets a delivery job of its
own; the job calls that one implementation with the event's payload, with
:func:`current_delivery` telling the handler which delivery it is running.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from crm_host.models import OutboxEvent
from crm_host.plugins import PluginManager
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
    from crm_host.host import host_of

    plugins = host_of(job.session).plugins
    hook, function_name = job.args["hook"], job.args["function"]
    event = job.session.get(OutboxEvent, job.event_id) if job.event_id else None
    if event is None:
        raise EventError(f"event {job.event_id} no longer exists")
    payload = dict(event.payload)
    # Release the read before the handler runs: on SQLite any transaction holds the
    # write lock, and a handler may take its time (or call out to the network).
    job.session.commit()
    for _plugin, function, _argnames in plugins.implementations(hook, [job.plugin]):
        if function.__qualname__ == function_name:
            break
    else:
        raise EventError(
            f"plugin {job.plugin} is not loaded or no longer implements {hook} ({function_name})"
        )
    token = _current.set(
        Delivery(event.id, event.name, job.plugin or "", job.idempotency_key or "", job.attempt)
    )
    try:
        function(**{a: payload[a] for a in _argnames})
    finally:
        _current.reset(token)
