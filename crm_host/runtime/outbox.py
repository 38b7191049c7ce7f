"""The outbox: events written in the transaction of the change, delivered after commit.

:func:`emit` stores the event and, in the same transaction, one delivery job per
implementation of the hook in every installed plugin (never department-scoped:
events concern data, not what a user sees) and one per matching webhook
subscription. Nothing is delivered unless the transaction commits; after it does,
each delivery succeeds, retries or is parked on its own.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import ValidationFailed
from crm_host.core.models import Job, OutboxEvent, WebhookSubscription
from crm_host.runtime.events import ABOUT_CUSTOMERS, CUSTOMER_IDS, EventError, check_event
from crm_host.runtime.queue import job_row, to_json

#: The delivery jobs: to a plugin's hook implementation, and to a webhook.
EVENT_JOB = "host.event"
WEBHOOK_JOB = "host.webhook"
DELIVERY_JOBS = (EVENT_JOB, WEBHOOK_JOB)
_PENDING = "crm_outbox_pending"


def emit(session: Session, event_name: str, **payload: Any) -> int:
    """Write event ``event_name`` with its keyword arguments in ``session``'s transaction.

    ``payload`` must give exactly the hook's arguments, as JSON data (ids, strings;
    dates become ISO strings). Returns the event's id. Raises
    :class:`~crm_host.core.errors.ValidationFailed` for an unknown event or a bad payload.
    """
    from crm_host.runtime.current import runtime_of

    runtime = runtime_of(session)
    plugins = runtime.host.plugins
    try:
        argnames = check_event(plugins, event_name)
    except EventError as error:
        raise ValidationFailed(str(error), details={"event": [str(error)]}) from None
    missing = sorted(set(argnames) - set(payload))
    extra = sorted(set(payload) - set(argnames))
    if missing or extra:
        problems = {name: ["Missing."] for name in missing} | {
            name: [f"{event_name} takes no argument {name}."] for name in extra
        }
        raise ValidationFailed(
            f"{event_name} takes ({', '.join(argnames)})"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unexpected: {', '.join(extra)}" if extra else ""),
            details=problems,
        )
    data = to_json(payload, "payload")
    now = utcnow()
    event_id = session.execute(
        sa.insert(OutboxEvent)
        .values(name=event_name, payload=data, created_at=now)
        .returning(OutboxEvent.id)
    ).scalar_one()
    settings = runtime.settings
    rows = []
    hooks = [event_name]
    if CUSTOMER_IDS in argnames:
        # An event about customers also reaches those who listen to every such event.
        hooks.append(ABOUT_CUSTOMERS)
    implementations = [(hook, *impl) for hook in hooks for impl in plugins.implementations(hook)]
    for hook, plugin, function, _argnames in implementations:
        rows.append(
            job_row(
                name=EVENT_JOB,
                args={"hook": hook, "function": function.__qualname__},
                key=f"event:{event_id}:{plugin}:{function.__qualname__}",
                plugin=plugin,
                department_id=None,
                event_id=event_id,
                run_after=now,
                max_attempts=settings.events_max_attempts,
                now=now,
            )
        )
    subscriptions = session.execute(
        sa.select(WebhookSubscription.id, WebhookSubscription.events).where(
            WebhookSubscription.active.is_(True)
        )
    ).all()
    for subscription_id, events in subscriptions:
        if "*" in events or event_name in events:
            rows.append(
                job_row(
                    name=WEBHOOK_JOB,
                    args={"subscription_id": subscription_id},
                    key=f"webhook:{event_id}:{subscription_id}",
                    plugin=None,
                    department_id=None,
                    event_id=event_id,
                    run_after=now,
                    max_attempts=settings.webhooks_max_attempts,
                    now=now,
                )
            )
    if rows:
        session.execute(sa.insert(Job), rows)
    session.info[_PENDING] = True
    return event_id


_listening = threading.Lock()
_installed = False


def install_listeners() -> None:
    """Tell the runtime when a transaction that emitted events commits (idempotent)."""
    global _installed
    with _listening:
        if _installed:
            return
        sa_event.listen(Session, "after_commit", _after_commit)
        _installed = True


def _after_commit(session: Session) -> None:
    # A flag left over from a rolled-back transaction only costs one empty look.
    if not session.info.pop(_PENDING, False):
        return
    runtime = session.info.get("crm_runtime")
    if runtime is not None:
        runtime.events_committed()
