"""Liveness of the background processes: one row per running worker or scheduler."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base, status_type, utcnow


class ProcessKind(enum.StrEnum):
    """The kinds of process that beat: ``crm worker`` (and a web process's worker
    thread) and ``crm scheduler``."""

    WORKER = "worker"
    SCHEDULER = "scheduler"


PROCESS_KINDS = tuple(kind.value for kind in ProcessKind)


class WorkerHeartbeat(Base):
    """A background process saying it is alive; ``last_seen`` moves on every beat.

    A process that stops cleanly deletes its row; one that was killed leaves it
    behind, ageing, which is exactly what liveness checks and ``/metrics`` show.
    """

    __tablename__ = "worker_heartbeats"

    #: ``host:pid:random``, as recorded on the jobs a worker claims.
    worker_id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    # The CHECK it carries is the one host0016 put on the column (ck_worker_heartbeats_kind).
    kind: Mapped[str] = mapped_column(status_type(ProcessKind, name="kind"))
    hostname: Mapped[str] = mapped_column(sa.String(200))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow, index=True)
