"""What becomes of a claimed job besides success: retried with backoff, parked as
failed, given back, recovered from a silent worker, or retried by hand once parked.

Every write names the claim's token (see :mod:`crm_host.runtime.queue_claims`), so a
worker that lost its claim changes nothing; each is a transaction of its own, tried
again when it meets a lock (:mod:`crm_host.runtime.locks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import Conflict, NotFound
from crm_host.core.models import Job
from crm_host.runtime.locks import retry_on_lock
from crm_host.runtime.queue_claims import Claim, _held


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """The delay before the next attempt after ``attempts`` failed ones: base·2ⁿ⁻¹, capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@retry_on_lock
def fail(
    session_factory: Any,
    claim: Claim,
    error: str,
    *,
    base: float,
    cap: float,
    now: datetime | None = None,
    final: bool = False,
) -> str:
    """Record a failed attempt: requeue with backoff, or park as failed after the last one
    (or at once when ``final``: an error that another attempt would only meet again).

    Returns the job's new status (``queued`` or ``failed``), or ``lost`` when the claim
    had already gone.
    """
    now = now or utcnow()
    error = error[-4000:]
    with session_factory() as session, session.begin():
        if final or claim.attempt >= claim.max_attempts:
            values: dict[str, Any] = {"status": "failed", "finished_at": now}
        else:
            values = {"status": "queued", "run_after": now + backoff(claim.attempt, base, cap)}
        values.update(claim_token=None, claimed_by=None, last_error=error)
        result = session.execute(sa.update(Job).where(_held(claim)).values(**values))
        return values["status"] if result.rowcount == 1 else "lost"


@retry_on_lock
def release(session_factory: Any, claim: Claim, now: datetime | None = None) -> None:
    """Give a claimed job back unharmed (the worker is stopping): the attempt does not count."""
    with session_factory() as session, session.begin():
        session.execute(
            sa.update(Job)
            .where(_held(claim))
            .values(
                status="queued",
                run_after=now or utcnow(),
                attempts=Job.attempts - 1,
                claim_token=None,
                claimed_by=None,
            )
        )


@retry_on_lock
def heartbeat(session_factory: Any, worker_id: str, now: datetime | None = None) -> int:
    """Tell the database the jobs ``worker_id`` runs are alive; returns how many."""
    with session_factory() as session, session.begin():
        result = session.execute(
            sa.update(Job)
            .where(Job.claimed_by == worker_id, Job.status == "running")
            .values(heartbeat_at=now or utcnow())
        )
        return result.rowcount


@retry_on_lock
def requeue_stale(session_factory: Any, timeout: float, now: datetime | None = None) -> list[int]:
    """Requeue running jobs whose worker stopped answering (parked after the last attempt).

    A job counts as abandoned when its heartbeat is older than ``timeout`` seconds.
    Returns the ids recovered.
    """
    now = now or utcnow()
    limit = now - timedelta(seconds=timeout)
    recovered: list[int] = []
    with session_factory() as session, session.begin():
        stale = session.execute(
            sa.select(Job.id, Job.claim_token, Job.claimed_by, Job.attempts, Job.max_attempts)
            .where(Job.status == "running", Job.heartbeat_at < limit)
            .limit(1000)
        ).all()
        for row in stale:
            error = f"worker {row.claimed_by} stopped answering during attempt {row.attempts}"
            if give_back(session, row, error, now):
                recovered.append(row.id)
    return recovered


def give_back(session: Session, row: Any, error: str, now: datetime) -> bool:
    """Requeue the abandoned running job ``row`` (parked as failed after its last attempt).

    ``row`` carries the job's id, claim token, attempts and max attempts. Only the claim
    still named by the token is given back, so a worker that did answer in the meantime
    keeps its job; returns whether this call gave it back.
    """
    values: dict[str, Any] = {"claim_token": None, "claimed_by": None, "last_error": error}
    if row.attempts >= row.max_attempts:
        values.update(status="failed", finished_at=now)
    else:
        values.update(status="queued", run_after=now)
    result = session.execute(
        sa.update(Job).where(Job.id == row.id, Job.claim_token == row.claim_token).values(**values)
    )
    return result.rowcount == 1


def get_job(session: Session, job_id: int) -> Job:
    """The job with this id, or :class:`NotFound`."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job with id {job_id}")
    return job


def retry(session: Session, job_id: int, now: datetime | None = None) -> Job:
    """Put a parked (failed) job back in the queue with its attempts reset.

    Raises :class:`Conflict` when the job is not parked.
    """
    job = get_job(session, job_id)
    if job.status != "failed":
        raise Conflict(f"job {job_id} is {job.status}; only failed jobs can be retried")
    job.status = "queued"
    job.attempts = 0
    job.run_after = now or utcnow()
    job.finished_at = None
    session.flush()
    return job


def counts(session: Session, names: Sequence[str] | None = None) -> dict[str, int]:
    """How many jobs are in each state."""
    query = sa.select(Job.status, sa.func.count()).group_by(Job.status)
    if names is not None:
        query = query.where(Job.name.in_(names))
    return {status: n for status, n in session.execute(query)}
