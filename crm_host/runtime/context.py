"""What a running job sees: :class:`JobContext`, and resumable batches (:class:`Batch`).

A job that works through many rows does it in batches with
:meth:`JobContext.run_batches`. Each batch runs in a transaction of its own that
also stores the job's cursor and progress, so the checkpoint and the batch's
effects commit together: after a crash the job resumes after the last committed
batch and never does one twice.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask, g
from sqlalchemy.orm import Session

from crm_host.core.db import Database, utcnow
from crm_host.core.models import Job
from crm_host.runtime.queue import Claim, fence, to_json


class Worker(Protocol):
    """What a job's context uses of the worker running it
    (:class:`crm_host.runtime._runner.Runner`), named here so that the context does not
    import the runner that builds it."""

    app: Flask
    db: Database
    stopping: threading.Event


class Interrupted(Exception):
    """The worker is stopping; the job goes back to the queue without losing an attempt."""


@dataclass
class Batch:
    """One batch of a batch job: start at ``cursor``; write with ``session``.

    Set ``processed`` to how many items the batch handled (added to the job's
    progress), and ``total`` when the batch learns how many there are in all.
    """

    cursor: Any
    session: Session
    job: JobContext
    processed: int = 0
    total: int | None = None


#: A batch step: process one batch, return the next cursor, or ``None`` when finished.
BatchStep = Callable[[Batch], Any]


class JobContext:
    """A claimed job as its function sees it.

    ``session`` is the job's transaction: it commits together with the job being
    marked done, and rolls back when the function raises (the attempt then counts
    as failed). Inside the job, ``crm_host.core.host.get_host().session`` is this session.
    """

    def __init__(self, runner: Worker, claim: Claim, session: Session) -> None:
        self._runner = runner
        self._claim = claim
        #: The job's transaction.
        self.session = session
        self.id = claim.id
        self.name = claim.name
        self.args: dict[str, Any] = dict(claim.args or {})
        self.department_id = claim.department_id
        self.plugin = claim.plugin
        self.event_id = claim.event_id
        #: This attempt's number, from 1.
        self.attempt = claim.attempt
        self.max_attempts = claim.max_attempts
        self.idempotency_key = claim.key

    @property
    def app(self) -> Flask:
        """The application the job runs in."""
        return self._runner.app

    @property
    def stopping(self) -> bool:
        """Whether the worker was asked to stop; long jobs should return at a safe point."""
        return self._runner.stopping.is_set()

    def progress(self, done: int, total: int | None = None) -> None:
        """Record progress in the job's transaction (seen when it commits)."""
        values: dict[str, Any] = {"progress_done": done}
        if total is not None:
            values["progress_total"] = total
        fence(self.session, self._claim)
        self.session.execute(sa.update(Job).where(Job.id == self.id).values(**values))

    def run_batches(self, step: BatchStep, *, total: int | None = None) -> None:
        """Call ``step`` batch after batch, each in a transaction with the job's checkpoint.

        ``step(batch)`` processes the items after ``batch.cursor`` (``None`` the first
        time), writing with ``batch.session``, and returns the cursor after them — any
        JSON value — or ``None`` when there is nothing left. The batch's effects, the
        new cursor and the progress commit together. Resumes where the last committed
        batch left off. Between batches a stopping worker hands the job back
        (:class:`Interrupted`).
        """
        factory = self._runner.db.session_factory
        while True:
            if self.stopping:
                raise Interrupted(f"job {self.id} handed back between batches")
            with factory() as session, session.begin():
                # Lock the job's row and prove the claim before touching anything.
                fence(session, self._claim)
                row = session.execute(
                    sa.select(Job.checkpoint, Job.progress_done, Job.progress_total).where(
                        Job.id == self.id
                    )
                ).one()
                state = row.checkpoint or {}
                if state.get("finished"):
                    return
                batch = Batch(
                    cursor=state.get("cursor"),
                    session=session,
                    job=self,
                    total=row.progress_total if row.progress_total is not None else total,
                )
                with self._using(session):
                    next_cursor = step(batch)
                finished = next_cursor is None
                if not finished:
                    next_cursor = to_json(next_cursor, "cursor")
                session.execute(
                    sa.update(Job)
                    .where(Job.id == self.id)
                    .values(
                        checkpoint={
                            "cursor": batch.cursor if finished else next_cursor,
                            "finished": finished,
                        },
                        progress_done=row.progress_done + batch.processed,
                        progress_total=batch.total,
                        heartbeat_at=utcnow(),
                    )
                )
            if finished:
                return

    @contextlib.contextmanager
    def _using(self, session: Session) -> Iterator[None]:
        """Make ``session`` the application context's session while a batch runs."""
        previous = g.get("crm_session")
        g.crm_session = session
        try:
            yield
        finally:
            if previous is None:
                g.pop("crm_session", None)
            else:
                g.crm_session = previous
