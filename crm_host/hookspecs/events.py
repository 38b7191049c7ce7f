"""Events: written to the outbox with the change, delivered after commit.

Emitted with ``crm_host.runtime.facade.emit(session, "<hook>", **payload)`` in the transaction
of the change. After commit every implementation, in every installed plugin, gets its
own delivery: one failing plugin never blocks another or the write; a failure is
retried with exponential backoff and parked as failed after the last attempt.
Delivery is at least once and in no guaranteed order: handlers must be idempotent
(``crm_host.runtime.facade.current_delivery().idempotency_key`` names the delivery) and read
the current state rather than trust the event's. A handler's writes through
``get_host().session`` commit together with its delivery being marked done. The
arguments are JSON data (ids, strings), never ORM objects.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm_host.event_labels import event_label
from crm_host.hookspecs.marker import hookspec


@hookspec
@event_label(_l("Customer created"))
def crm_customers_created(customer_ids: list[int]) -> None:
    """Customers were created (by the API, the console or a job); ``customer_ids`` lists them.

    Called after the creating transaction committed, once per implementation, for
    every installed plugin. Collecting; the return value is ignored; raising makes
    the delivery retry with backoff, then park as failed.
    """


@hookspec
def crm_customers_updated(changes: list[dict[str, Any]]) -> None:
    """Customers were changed; ``changes`` holds ``{"customer_id": id, "changed": {field: [before, after]}}``.

    Called after the updating transaction committed, once per implementation, for
    every installed plugin; one call per batch of updates. Collecting; the return
    value is ignored; raising makes the delivery retry with backoff, then park.
    """


@hookspec
@event_label(_l("Customers imported"))
def crm_customers_imported(customer_ids: list[int]) -> None:
    """A batch of an import committed; ``customer_ids`` are the customers it created or changed.

    Called after each batch's transaction committed — once per batch, never per row —
    once per implementation, for every installed plugin. Collecting; the return value
    is ignored; raising makes the delivery retry with backoff, then park.
    """


@hookspec
def crm_customer_merged(survivor_id: int, merged_id: int) -> None:
    """``merged_id`` was merged into ``survivor_id`` and no longer exists.

    Called after the merge committed (references were already moved by
    ``crm_customers_merging`` inside it), once per implementation, for every
    installed plugin. Collecting; the return value is ignored; raising makes the
    delivery retry with backoff, then park.
    """


@hookspec
def crm_customer_stage_changed(customer_id: int, old: str | None, new: str) -> None:
    """A customer's lifecycle stage went from ``old`` (``None`` when new) to ``new``.

    Called after the change committed, once per implementation, for every installed
    plugin. Collecting; the return value is ignored; raising makes the delivery retry
    with backoff, then park.
    """


@hookspec
def crm_customer_erased(customer_id: int) -> None:
    """A customer's personal data was erased (pseudonymised) everywhere.

    Called after the erasure committed, once per implementation, for every installed
    plugin: drop caches or copies held outside the database. Collecting; the return
    value is ignored; raising makes the delivery retry with backoff, then park.
    """


@hookspec
def crm_event_about_customers(event: str, customer_ids: list[int], payload: dict[str, Any]) -> None:
    """Event ``event`` concerns ``customer_ids``; ``payload`` holds all its arguments.

    Delivered like the event itself (after commit, at least once) for every event whose
    hookspec declares ``customer_ids``, so a plugin reacts to events it does not name;
    ``crm_host.runtime.facade.customer_events`` lists them with their labels. ``customer_ids``
    is empty for an event written before its hook gained it. Collecting."""
