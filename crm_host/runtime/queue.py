"""The database-backed job queue: enqueue, claim, finish, retry, recover.

This module enqueues; claiming is in :mod:`crm_host.runtime.queue_claims`, and
retrying, parking and recovering in :mod:`crm_host.runtime.queue_bookkeeping`. All
of it stays importable from here.

Claiming is a compare-and-set: ``UPDATE jobs SET status='running' … WHERE id = :id
AND status = 'queued'``, checked by its row count, so two workers (threads or
processes, on SQLite or PostgreSQL) never both get a job. Each claim carries a fresh
token; every later write of the job (a batch's checkpoint, done, failed) is made
``WHERE claim_token = :token``, so a worker that lost its claim — declared dead
after missing heartbeats — can no longer write anything. The queue's own writes, each
a transaction of its own, are tried again when they meet a lock (:mod:`.locks`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import ValidationFailed
from crm_host.core.models import Job
from crm_host.runtime.queue_bookkeeping import (
    backoff,
    counts,
    fail,
    get_job,
    give_back,
    heartbeat,
    release,
    requeue_stale,
    retry,
)
from crm_host.runtime.queue_claims import (
    Claim,
    LostClaim,
    claim,
    claim_job,
    complete,
    fence,
    take_for_dispatch,
)

__all__ = [
    "Claim",
    "LostClaim",
    "backoff",
    "claim",
    "claim_job",
    "complete",
    "counts",
    "fail",
    "fence",
    "get_job",
    "give_back",
    "heartbeat",
    "insert_job",
    "job_row",
    "release",
    "requeue_stale",
    "retry",
    "take_for_dispatch",
    "to_json",
]


def to_json(value: Any, what: str) -> Any:
    """``value`` as JSON data: dates and datetimes become ISO strings, decimals strings.

    Raises :class:`ValidationFailed` naming ``what`` for anything else that JSON
    cannot hold (ORM objects, sets…).
    """

    def encode(item: Any) -> Any:
        if isinstance(item, datetime | date):
            return item.isoformat()
        if isinstance(item, Decimal | UUID):
            return str(item)
        raise TypeError(type(item).__name__)

    try:
        return json.loads(json.dumps(value, default=encode))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            f"{what} must be JSON data (numbers, strings, lists, dicts), not {exc}",
            details={what: ["Not JSON data."]},
        ) from None


def _insert(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(Job)
    if name == "sqlite":
        return sqlite.insert(Job)
    return sa.insert(Job)


def insert_job(
    session: Session,
    *,
    name: str,
    args: dict[str, Any] | None = None,
    key: str | None = None,
    plugin: str | None = None,
    department_id: int | None = None,
    event_id: int | None = None,
    run_after: datetime | None = None,
    max_attempts: int = 5,
) -> tuple[int, bool]:
    """Insert one job in the caller's transaction; returns ``(id, created)``.

    With ``key`` an existing job of that key is returned instead (``created`` false);
    the insert never fails on the key, so the caller's transaction stays usable.
    """
    now = utcnow()
    values = job_row(
        name=name,
        args=to_json(args or {}, "args"),
        key=key,
        plugin=plugin,
        department_id=department_id,
        event_id=event_id,
        run_after=run_after or now,
        max_attempts=max_attempts,
        now=now,
    )
    statement = _insert(session).values(**values)
    if key is not None and hasattr(statement, "on_conflict_do_nothing"):
        statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    new_id = session.execute(statement.returning(Job.id)).scalar_one_or_none()
    if new_id is not None:
        return new_id, True
    existing = session.scalar(sa.select(Job.id).where(Job.idempotency_key == key))
    assert existing is not None
    return existing, False


def job_row(
    *,
    name: str,
    args: dict[str, Any],
    key: str | None,
    plugin: str | None,
    department_id: int | None,
    event_id: int | None,
    run_after: datetime,
    max_attempts: int,
    now: datetime,
) -> dict[str, Any]:
    """The column values of a new queued job (for inserting many at once)."""
    return {
        "name": name,
        "plugin": plugin,
        "department_id": department_id,
        "event_id": event_id,
        "args": args,
        "status": "queued",
        "idempotency_key": key,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after": run_after,
        "created_at": now,
        "progress_done": 0,
    }
