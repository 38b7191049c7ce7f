"""The host's runtime: the outbox and event delivery, the job queue, schedules,
resumable batches and outgoing webhooks — the shared services no plugin writes itself.

Plugins use:

* :func:`emit` — write an event in the caller's transaction; delivered after commit
  to every implementation in every installed plugin, and to matching webhooks;
* :func:`current_delivery` — inside an event handler, the delivery's idempotency key;
* :func:`event_label` — label an event hookspec (one that declares ``customer_ids``
  can then start journeys), and :func:`customer_events` — every such event;
* :func:`enqueue` — queue a registered job (``crm_register_jobs``);
* :class:`JobContext` and :class:`Batch` — what a job function receives, and
  :meth:`JobContext.run_batches` for work that must resume after a crash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_host.core.errors import ValidationFailed
from crm_host.event_labels import EventLabel, event_label
from crm_host.runtime.context import Batch, Interrupted, JobContext
from crm_host.runtime.current import get_runtime, runtime_of
from crm_host.runtime.events import (
    ABOUT_CUSTOMERS,
    HOST_EVENTS,
    CustomerEvent,
    Delivery,
    current_delivery,
    customer_events,
)
from crm_host.runtime.outbox import emit
from crm_host.runtime.registry import JobRegistry
from crm_host.runtime.service import Runtime, init_app


def enqueue(
    session: Session,
    name: str,
    args: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    department_id: int | None = None,
    run_after: datetime | None = None,
) -> int:
    """Queue job ``name`` in ``session``'s transaction; returns the job's id.

    ``args`` (JSON data) reach the job as ``job.args``. With an idempotency ``key``,
    enqueueing the same key again returns the first job instead of adding one.
    Raises :class:`~crm_host.core.errors.ValidationFailed` for an unknown job.
    """
    from crm_host.runtime.queue import insert_job

    runtime = runtime_of(session)
    spec = runtime.jobs.get(name)
    if spec is None:
        raise ValidationFailed(
            f"no job named {name} is registered", details={"name": ["Unknown job."]}
        )
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 255):
        raise ValidationFailed(
            "the idempotency key must be 1 to 255 characters", details={"key": ["Too long."]}
        )
    job_id, _created = insert_job(
        session,
        name=name,
        args=args,
        key=key,
        plugin=spec.plugin,
        department_id=department_id,
        run_after=run_after,
        max_attempts=spec.max_attempts or runtime.settings.jobs_max_attempts,
    )
    return job_id


__all__ = [
    "ABOUT_CUSTOMERS",
    "HOST_EVENTS",
    "Batch",
    "CustomerEvent",
    "Delivery",
    "EventLabel",
    "Interrupted",
    "JobContext",
    "JobRegistry",
    "Runtime",
    "current_delivery",
    "customer_events",
    "emit",
    "event_label",
    "enqueue",
    "get_runtime",
    "init_app",
    "runtime_of",
]
