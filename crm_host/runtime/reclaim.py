"""Taking jobs back without waiting for the heartbeat timeout, and deferring past a lock.

A worker's name on the jobs it claims is ``host:pid:random:name``: the machine, the
process, this start of it, and the stable name it was started with (``crm worker
--name``, ``CRM_WORKER_NAME``; ``web`` for a web process's thread). A worker that
restarts under the same name on the same machine knows the jobs of its earlier
start are orphans as soon as that process is gone, and takes them back on start
instead of leaving them to other workers' 120 s heartbeat timeout.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crm_host.core.db import utcnow
from crm_host.core.models import Job
from crm_host.runtime.locks import retry_on_lock
from crm_host.runtime.queue import Claim, give_back


@dataclass(frozen=True)
class WorkerId:
    """The parts of a worker's name as written in ``jobs.claimed_by``."""

    host: str
    pid: int
    start: str
    name: str

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.start}:{self.name}"


def new_worker_id(name: str) -> str:
    """A name for a worker starting now in this process under the stable ``name``."""
    return str(WorkerId(socket.gethostname(), os.getpid(), secrets.token_hex(3), name))


def parse_worker_id(text: str | None) -> WorkerId | None:
    """The parts of ``text``, or ``None`` when it is not a worker's name (a test's label)."""
    host, pid, start, name = ([*(text or "").split(":", 3), "", "", ""])[:4]
    if not host or not pid.isdigit():
        return None
    return WorkerId(host, int(pid), start, name)


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (someone else's counts too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _orphaned(holder: WorkerId | None, me: WorkerId, live: Collection[str]) -> bool:
    """Whether the job's holder is an earlier start of the worker ``me``, now gone."""
    if holder is None or (holder.host, holder.name) != (me.host, me.name):
        return False
    if str(holder) in live:
        return False  # a worker running in this very process
    # The same pid is this process: the earlier start was a process that died and whose
    # pid came round again (a restarted container's worker usually has the same pid).
    return holder.pid == me.pid or not process_alive(holder.pid)


@retry_on_lock
def reclaim_own(
    session_factory: Any,
    worker_id: str,
    *,
    live: Collection[str] = (),
    now: datetime | None = None,
) -> list[int]:
    """Requeue the running jobs of earlier starts of this worker; returns their ids.

    Only jobs held under the same machine and name whose process is gone, and not by
    one of the ``live`` workers of this process. The attempt they were on counts, as
    after a heartbeat timeout: a job that kills its worker every time is parked.
    """
    me = parse_worker_id(worker_id)
    if me is None:
        return []
    now = now or utcnow()
    taken: list[int] = []
    with session_factory() as session, session.begin():
        rows = session.execute(
            sa.select(Job.id, Job.claimed_by, Job.claim_token, Job.attempts, Job.max_attempts)
            .where(
                Job.status == "running", Job.claimed_by.startswith(f"{me.host}:", autoescape=True)
            )
            .order_by(Job.id)
        ).all()
        for row in rows:
            if row.claimed_by == worker_id or not _orphaned(
                parse_worker_id(row.claimed_by), me, live
            ):
                continue
            error = f"worker {row.claimed_by} died during attempt {row.attempts}"
            if give_back(session, row, error, now):
                taken.append(row.id)
    return taken


@retry_on_lock
def requeue_dead_local(session_factory: Any, job_id: int, now: datetime | None = None) -> bool:
    """Requeue job ``job_id`` at once if the worker holding it ran on this machine and
    its process is gone (a killed ``crm customers import``); returns whether it did.

    A claim held on another machine, or by a live process, is left alone: only the
    heartbeat timeout may take it over.
    """
    with session_factory() as session, session.begin():
        row = session.execute(
            sa.select(Job.status, Job.claimed_by, Job.claim_token).where(Job.id == job_id)
        ).one_or_none()
        if row is None or row.status != "running":
            return False
        holder = parse_worker_id(row.claimed_by)
        if holder is None or holder.host != socket.gethostname() or process_alive(holder.pid):
            return False
        result = session.execute(
            sa.update(Job)
            .where(Job.id == job_id, Job.claim_token == row.claim_token)
            .values(
                status="queued",
                claim_token=None,
                claimed_by=None,
                run_after=now or utcnow(),
                last_error=f"worker {row.claimed_by} died",
            )
        )
        return result.rowcount == 1


@retry_on_lock
def defer(
    session_factory: Any, claim: Claim, error: str, delay: float, now: datetime | None = None
) -> str:
    """Give a job that met a lock back to the queue, to run after ``delay`` seconds.

    The attempt does not count: the lock said nothing about the job. Returns
    ``queued``, or ``lost`` when the claim had already gone.
    """
    now = now or utcnow()
    with session_factory() as session, session.begin():
        result = session.execute(
            sa.update(Job)
            .where(Job.id == claim.id, Job.claim_token == claim.token)
            .values(
                status="queued",
                run_after=now + timedelta(seconds=delay),
                attempts=Job.attempts - 1,
                claim_token=None,
                claimed_by=None,
                last_error=error[-4000:],
            )
        )
        return "queued" if result.rowcount == 1 else "lost"
