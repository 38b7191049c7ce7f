"""The database-backed job queue: enqueue, claim, finish, retry, recover.

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
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import Conflict, NotFound, ValidationFailed
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


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """The delay before the next attempt after ``attempts`` failed ones: base·2ⁿ⁻¹, capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


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


@retry_on_lock
def fail(
    session_factory: Any,
    claim: Claim,
    error: str,
    *,
    base: float,
    cap: float,
    now: datetime | None = None,
) -> str:
    """Record a failed attempt: requeue with backoff, or park as failed after the last one.

    Returns the job's new status (``queued`` or ``failed``), or ``lost`` when the claim
    had already gone.
    """
    now = now or utcnow()
    error = error[-4000:]
    with session_factory() as session, session.begin():
        if claim.attempt >= claim.max_attempts:
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
