"""Heartbeats of workers and schedulers: written while they run, read by liveness checks.

Each ``crm worker`` and ``crm scheduler`` (and a web process's worker thread) upserts
its row every heartbeat interval. ``crm health worker`` and ``/healthz/workers`` say
whether one beat recently enough; ``/metrics`` exports every row's age. Rows of
processes gone for a day are pruned by the beats of the others.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.models.heartbeats import PROCESS_KINDS, WorkerHeartbeat

log = logging.getLogger("crm_host.runtime")

#: A process's liveness needs no faster beat than this, whatever the jobs' interval
#: (tests set that to a fraction of a second; on SQLite every beat takes the write lock).
MIN_INTERVAL = 5.0
#: Rows not updated for this long belong to processes that are not coming back.
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Beat:
    """One process's last beat and how old it is."""

    worker_id: str
    kind: str
    hostname: str
    pid: int
    last_seen: datetime
    age_seconds: float


def beat(session_factory: Any, worker_id: str, kind: str, now: datetime | None = None) -> None:
    """Record that ``worker_id`` (a ``worker`` or ``scheduler``) is alive right now."""
    if kind not in PROCESS_KINDS:
        raise ValueError(f"unknown process kind {kind!r}")
    now = now or utcnow()
    with session_factory() as session, session.begin():
        row = session.get(WorkerHeartbeat, worker_id)
        if row is None:
            session.add(
                WorkerHeartbeat(
                    worker_id=worker_id,
                    kind=kind,
                    hostname=socket.gethostname()[:200],
                    pid=os.getpid(),
                    started_at=now,
                    last_seen=now,
                )
            )
        else:
            row.last_seen = now
        session.execute(
            sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.last_seen < now - FORGET_AFTER)
        )


def forget(session_factory: Any, worker_id: str) -> None:
    """Remove the row of a process that stops cleanly."""
    with session_factory() as session, session.begin():
        session.execute(sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker_id))


def beats(
    session: Session,
    *,
    kind: str | None = None,
    hostname: str | None = None,
    now: datetime | None = None,
) -> list[Beat]:
    """Every recorded process (of ``kind``, on ``hostname``), most recent beat first."""
    now = now or utcnow()
    query = sa.select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen.desc())
    if kind is not None:
        query = query.where(WorkerHeartbeat.kind == kind)
    if hostname is not None:
        query = query.where(WorkerHeartbeat.hostname == hostname)
    return [
        Beat(
            row.worker_id,
            row.kind,
            row.hostname,
            row.pid,
            row.last_seen,
            max(0.0, (now - row.last_seen).total_seconds()),
        )
        for row in session.scalars(query)
    ]


def alive(found: list[Beat], timeout: float) -> list[Beat]:
    """The beats younger than ``timeout`` seconds."""
    return [b for b in found if b.age_seconds <= timeout]


class Beating:
    """A daemon thread beating for one process until :meth:`stop` (which removes the row).

    For processes without a loop of their own to beat from: the scheduler between
    ticks, a Celery worker inside ``worker_main``.
    """

    def __init__(self, session_factory: Any, worker_id: str, kind: str, interval: float) -> None:
        self.session_factory = session_factory
        self.worker_id = worker_id
        self.kind = kind
        self.interval = max(interval, MIN_INTERVAL)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"crm-{kind}-beat", daemon=True)

    def start(self) -> Beating:
        """Beat once now (so a check right after start-up passes), then every interval."""
        beat(self.session_factory, self.worker_id, self.kind)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating and remove the row: a clean stop is not a dead process."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()
        try:
            forget(self.session_factory, self.worker_id)
        except Exception:  # the database went away first; the row ages out instead
            log.warning("could not remove heartbeat of %s", self.worker_id, exc_info=True)

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                beat(self.session_factory, self.worker_id, self.kind)
            except Exception:  # a database blip: beat again next interval
                log.exception("%s %s: heartbeat failed", self.kind, self.worker_id)


def shown_status(
    status: str,
    heartbeat_at: datetime | None,
    timeout: float,
    now: datetime | None = None,
) -> str:
    """A job's status as shown to people: ``running`` only while its worker beats.

    A running job whose heartbeat is older than ``timeout`` seconds is ``stalled``:
    its worker died or hangs, and the next worker to look requeues it.
    """
    if status != "running":
        return status
    now = now or utcnow()
    if heartbeat_at is None or (now - heartbeat_at).total_seconds() > timeout:
        return "stalled"
    return status
