"""Taking jobs from the queue and proving a claim still holds.

Claiming is a compare-and-set: ``UPDATE jobs SET status='running' … WHERE id = :id
AND status = 'queued'``, checked by its row count, so two workers (threads or
processes, on SQLite or PostgreSQL) never both get a job. Each claim carries a fresh
token; every later write of the job (a batch's checkpoint, done, failed) is made
``WHERE claim_token = :token``, so a worker that lost its claim — declared dead
after missing heartbeats — can no longer write anything.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.models import Job
from crm_host.runtime.locks import retry_on_lock


class LostClaim(Exception):
    """The job was taken from this worker (its claim went stale); nothing it did is kept."""


@dataclass(frozen=True)
class Claim:
    """A job this worker holds: its id and the token that proves the claim."""

    id: int
    name: str
    token: str
    attempt: int
    max_attempts: int
    plugin: str | None = None
    args: dict[str, Any] | None = None
    department_id: int | None = None
    event_id: int | None = None
    key: str | None = None


@retry_on_lock
def claim(
    session_factory: Any,
    worker_id: str,
    *,
    limit: int,
    names: Iterable[str] | None = None,
    now: datetime | None = None,
) -> list[Claim]:
    """Claim up to ``limit`` due queued jobs for ``worker_id`` (among ``names`` when given).

    Each job is claimed by compare-and-set; a job another worker took first is skipped.
    """
    now = now or utcnow()
    query = (
        sa.select(Job.id)
        .where(Job.status == "queued", Job.run_after <= now)
        .order_by(Job.run_after, Job.id)
        .limit(limit)
    )
    if names is not None:
        query = query.where(Job.name.in_(list(names)))
    claimed: list[Claim] = []
    with session_factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            # Only spares PostgreSQL workers from queueing on each other's rows; the
            # compare-and-set below is what makes a claim exclusive.
            query = query.with_for_update(skip_locked=True)
        for job_id in session.scalars(query).all():
            taken = _claim_row(session, job_id, worker_id, now)
            if taken is not None:
                claimed.append(taken)
    return claimed


def _claim_row(session: Session, job_id: int, worker_id: str, now: datetime) -> Claim | None:
    """Compare-and-set: take job ``job_id`` for ``worker_id`` if it is still queued."""
    token = secrets.token_hex(16)
    result = session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(
            status="running",
            claimed_by=worker_id,
            claim_token=token,
            heartbeat_at=now,
            attempts=Job.attempts + 1,
            started_at=sa.func.coalesce(Job.started_at, now),
        )
        .returning(
            Job.name,
            Job.attempts,
            Job.max_attempts,
            Job.plugin,
            Job.args,
            Job.department_id,
            Job.event_id,
            Job.idempotency_key,
        )
    )
    row = result.one_or_none()
    if row is None:
        return None
    return Claim(
        job_id,
        row.name,
        token,
        row.attempts,
        row.max_attempts,
        row.plugin,
        row.args or {},
        row.department_id,
        row.event_id,
        row.idempotency_key,
    )


@retry_on_lock
def claim_job(
    session_factory: Any, worker_id: str, job_id: int, *, now: datetime | None = None
) -> Claim | None:
    """Claim one given job if it is queued and due (a broker delivered its id)."""
    now = now or utcnow()
    with session_factory() as session, session.begin():
        due = session.scalar(
            sa.select(Job.id).where(Job.id == job_id, Job.status == "queued", Job.run_after <= now)
        )
        return _claim_row(session, job_id, worker_id, now) if due is not None else None


@retry_on_lock
def take_for_dispatch(
    session_factory: Any, *, redispatch_after: float, limit: int = 1000, now: datetime | None = None
) -> list[int]:
    """Mark due queued jobs as handed to the broker and return their ids.

    A job is taken when it was never dispatched, was claimed since its last dispatch
    and is queued again (a retry), or was dispatched ``redispatch_after`` seconds
    ago and still not started (its message was lost). Each job is marked by
    compare-and-set, so two dispatchers never hand over the same job at once.
    """
    now = now or utcnow()
    stale = now - timedelta(seconds=redispatch_after)
    taken: list[int] = []
    with session_factory() as session, session.begin():
        rows = session.execute(
            sa.select(Job.id, Job.dispatched_at)
            .where(
                Job.status == "queued",
                Job.run_after <= now,
                sa.or_(
                    Job.dispatched_at.is_(None),
                    Job.dispatched_at < stale,
                    # Claimed since its last dispatch and queued again (a retry, a
                    # recovered claim): its old message is spent.
                    Job.dispatched_at < Job.heartbeat_at,
                ),
            )
            .order_by(Job.run_after, Job.id)
            .limit(limit)
        ).all()
        for row in rows:
            previous = (
                Job.dispatched_at.is_(None)
                if row.dispatched_at is None
                else Job.dispatched_at == row.dispatched_at
            )
            result = session.execute(
                sa.update(Job).where(Job.id == row.id, previous).values(dispatched_at=now)
            )
            if result.rowcount == 1:
                taken.append(row.id)
    return taken


def _held(claim: Claim) -> sa.ColumnElement[bool]:
    return sa.and_(Job.id == claim.id, Job.claim_token == claim.token)


def fence(session: Session, claim: Claim, now: datetime | None = None) -> None:
    """Prove in ``session``'s transaction that the claim still holds (and lock the row).

    Raises :class:`LostClaim` when another worker has taken the job.
    """
    result = session.execute(
        sa.update(Job).where(_held(claim)).values(heartbeat_at=now or utcnow())
    )
    if result.rowcount != 1:
        raise LostClaim(f"job {claim.id} is no longer claimed by this worker")


def complete(session: Session, claim: Claim, now: datetime | None = None) -> None:
    """Mark the job done in ``session``'s transaction (with the job's own effects)."""
    now = now or utcnow()
    result = session.execute(
        sa.update(Job)
        .where(_held(claim))
        .values(status="done", finished_at=now, claim_token=None, heartbeat_at=now)
    )
    if result.rowcount != 1:
        raise LostClaim(f"job {claim.id} is no longer claimed by this worker")
