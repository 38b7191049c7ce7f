"""Running claimed jobs: :class:`Runner` runs them, :class:`Worker` loops over the queue.

``crm worker`` is a :class:`Worker` in the foreground; the web process can run one in
a thread (``CRM_WORKER_THREAD``). A worker claims a few due jobs at a time, runs
them one after another, and beats a heartbeat for them from a second thread; a
worker that stops beating (killed, machine gone) has its jobs requeued by the others.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Iterable
from datetime import datetime

from flask import Flask, g

from crm_host.core.host import get_host
from crm_host.runtime import heartbeats, queue, reclaim
from crm_host.runtime.context import Interrupted, JobContext
from crm_host.runtime.locks import is_lock_error
from crm_host.runtime.queue import Claim, LostClaim

log = logging.getLogger("crm_host.runtime")


#: The workers running in this process (their ids): a worker starting here never takes
#: their jobs for an earlier start's.
LIVE_WORKERS: set[str] = set()


def default_worker_id(name: str = "runner") -> str:
    """A name for this worker that is unique across machines and processes."""
    return reclaim.new_worker_id(name)


def describe_error(claim: Claim, error: BaseException) -> str:
    """The error of a failed attempt: first line names the plugin and the error, then the trace."""
    headline = f"{type(error).__name__}: {error}"
    if claim.plugin:
        headline = f"plugin {claim.plugin}: {headline}"
    trace = "".join(traceback.format_exception(error)[-6:])
    return f"{headline}\n{trace}"


class Runner:
    """Claims and runs jobs of one application (used by workers and by inline delivery)."""

    def __init__(
        self, app: Flask, *, worker_id: str | None = None, stopping: threading.Event | None = None
    ) -> None:
        from crm_host.runtime.current import get_runtime

        self.app = app
        self.runtime = get_runtime(app)
        self.db = get_host(app).db
        self.worker_id = worker_id or default_worker_id()
        self.stopping = stopping or threading.Event()
        self._recovered_at = -float("inf")
        self._unsettled: list[Claim] = []

    def run(self, claim: Claim, *, now: datetime | None = None) -> str:
        """Run one claimed job; returns ``done``, ``queued`` (will retry), ``failed``
        (parked), ``released`` (handed back by a stopping worker), ``lost``, or
        ``unsettled`` (its outcome could not be written for locks; given back later)."""
        try:
            return self._attempt(claim, now)
        except Exception as error:
            if not is_lock_error(error):
                raise
            # Even the retried write of the outcome met locks. Keep the claim in hand
            # and give it back before claiming more: left alone it would stay running
            # for good, its heartbeat beaten by this very worker.
            log.warning("job %s (%s): outcome not recorded, database locked", claim.id, claim.name)
            self._unsettled.append(claim)
            return "unsettled"

    def _settle(self, now: datetime | None) -> None:
        """Give back the jobs whose outcome could not be written (see :meth:`run`)."""
        for claim in list(self._unsettled):
            reclaim.defer(
                self.db.session_factory,
                claim,
                "deferred: its outcome could not be recorded, the database was locked",
                self.runtime.settings.jobs_lock_retry,
                now,
            )
            self._unsettled.remove(claim)

    def _attempt(self, claim: Claim, now: datetime | None) -> str:
        settings = self.runtime.settings
        spec = self.runtime.jobs.get(claim.name)
        session = self.db.session_factory()
        try:
            if spec is None:
                raise LookupError(
                    f"no job named {claim.name} is registered (is its plugin installed?)"
                )
            context = JobContext(self, claim, session)
            with self.app.app_context():
                g.crm_session = session
                try:
                    spec.function(context)
                    queue.complete(session, claim, now)
                    session.commit()
                finally:
                    g.pop("crm_session", None)
            return "done"
        except Interrupted:
            session.rollback()
            queue.release(self.db.session_factory, claim, now)
            return "released"
        except LostClaim as error:
            session.rollback()
            log.warning("%s", error)
            return "lost"
        except Exception as error:
            session.rollback()
            # The trace is kept with the job (``crm jobs show``); the log gets one line.
            description = describe_error(claim, error)
            if is_lock_error(error):
                # Another writer held the database past the busy timeout: nothing is
                # wrong with the job, so the attempt is given back, not spent.
                log.info("job %s (%s) met a lock; deferred", claim.id, claim.name)
                return reclaim.defer(
                    self.db.session_factory,
                    claim,
                    f"deferred, the database was locked: {description}",
                    settings.jobs_lock_retry,
                    now,
                )
            log.warning(
                "job %s (%s) attempt %s/%s failed: %s",
                claim.id,
                claim.name,
                claim.attempt,
                claim.max_attempts,
                description.splitlines()[0],
            )
            return queue.fail(
                self.db.session_factory,
                claim,
                description,
                base=settings.jobs_backoff,
                cap=settings.jobs_backoff_max,
                now=now,
                # An error that says so (an unreadable import file) fails the same way
                # every time: the job is parked now rather than retried in vain.
                final=not getattr(error, "retryable", True),
            )
        finally:
            session.close()

    def work_once(
        self,
        *,
        names: Iterable[str] | None = None,
        limit: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Recover abandoned jobs, claim due ones and run them; returns how many were claimed."""
        settings = self.runtime.settings
        self._settle(now)
        # Looking for abandoned jobs is a write; once per heartbeat interval is enough
        # (always, when the caller sets the clock).
        if (
            now is not None
            or time.monotonic() - self._recovered_at > settings.jobs_heartbeat_interval
        ):
            queue.requeue_stale(self.db.session_factory, settings.jobs_heartbeat_timeout, now)
            self._recovered_at = time.monotonic()
        claims = queue.claim(
            self.db.session_factory,
            self.worker_id,
            limit=limit or settings.worker_batch,
            names=list(names) if names is not None else list(self.runtime.jobs.jobs),
            now=now,
        )
        for claim in claims:
            if self.stopping.is_set():
                # Stopping: finish the job in hand, give back the ones not started.
                queue.release(self.db.session_factory, claim, now)
            else:
                self.run(claim, now=now)
        return len(claims)

    def run_due(self, *, names: Iterable[str] | None = None, now: datetime | None = None) -> int:
        """Run due jobs until none is left (jobs they enqueue included); returns how many ran.

        For inline delivery and tests; a worker uses :meth:`work_once` in its loop.
        """
        names = list(names) if names is not None else None
        total = 0
        for _round in range(10_000):  # bounded: a job that keeps enqueueing itself
            ran = self.work_once(names=names, now=now)
            if not ran:
                break
            total += ran
        return total


class Worker:
    """A loop working the queue until :meth:`stop` (``crm worker``, or a web process thread)."""

    def __init__(
        self,
        app: Flask,
        *,
        names: Iterable[str] | None = None,
        with_scheduler: bool = False,
        until_idle: bool = False,
        name: str | None = None,
    ) -> None:
        from crm_host.runtime.current import get_runtime

        self.stopping = threading.Event()
        #: The stable part of the worker's id: a restart under it takes back its jobs.
        self.name = name or get_runtime(app).settings.worker_name
        self.runner = Runner(app, worker_id=default_worker_id(self.name), stopping=self.stopping)
        self.app = app
        self.names = list(names) if names is not None else None
        self.with_scheduler = with_scheduler
        self.until_idle = until_idle
        self._wake = threading.Event()
        # Heartbeats go on while a stopping worker finishes the job in hand.
        self._finished = threading.Event()
        self.jobs_run = 0
        self._process_beat_at = -float("inf")

    @property
    def worker_id(self) -> str:
        """This worker's name, as recorded on the jobs it claims."""
        return self.runner.worker_id

    def stop(self) -> None:
        """Ask the loop to stop after the job in hand (unstarted claims are handed back)."""
        self.stopping.set()
        self._wake.set()

    def wake(self) -> None:
        """Look for due jobs now instead of at the end of the poll interval."""
        self._wake.set()

    def run(self) -> None:
        """Work until stopped (or, with ``until_idle``, until no job is due)."""
        settings = self.runner.runtime.settings
        self._guarded(lambda: self._beat_process())
        beating = threading.Thread(target=self._beat, name="crm-heartbeat", daemon=True)
        LIVE_WORKERS.add(self.worker_id)
        beating.start()
        next_tick = 0.0
        try:
            self._guarded(self._reclaim)
            while not self.stopping.is_set():
                if self.with_scheduler and time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + settings.scheduler_interval
                    self._guarded(self._tick)
                ran = self._guarded(lambda: self.runner.work_once(names=self.names)) or 0
                self.jobs_run += ran
                if ran:
                    continue
                if self.until_idle:
                    break
                self._wake.wait(settings.worker_poll_interval)
                self._wake.clear()
        finally:
            self.stopping.set()
            self._finished.set()
            beating.join()
            # A clean stop leaves no heartbeat behind to look like a dead worker.
            self._guarded(lambda: heartbeats.forget(self.runner.db.session_factory, self.worker_id))
            LIVE_WORKERS.discard(self.worker_id)

    def _reclaim(self) -> list[int]:
        """Take back at once the jobs an earlier start of this worker left running."""
        taken = reclaim.reclaim_own(
            self.runner.db.session_factory, self.worker_id, live=set(LIVE_WORKERS)
        )
        if taken:
            log.warning("worker %s took back %d job(s) of its earlier start", self.name, len(taken))
        return taken

    def _tick(self) -> int:
        from crm_host.runtime.scheduler import tick

        return len(tick(self.app))

    def _guarded(self, action):  # type: ignore[no-untyped-def]
        # A database restart or a network blip must not end the worker: log, wait, go on.
        try:
            return action()
        except Exception:
            log.exception("worker %s: error while working the queue", self.worker_id)
            self.stopping.wait(self.runner.runtime.settings.worker_poll_interval)
            return None

    def _beat(self) -> None:
        settings = self.runner.runtime.settings
        factory = self.runner.db.session_factory
        while not self._finished.wait(settings.jobs_heartbeat_interval):
            try:
                queue.heartbeat(factory, self.worker_id)
                self._beat_process()
            except Exception:
                log.exception("worker %s: heartbeat failed", self.worker_id)

    def _beat_process(self) -> None:
        # The process's own liveness (crm health worker, /metrics), beside its jobs';
        # at most every MIN_INTERVAL, however fast the jobs' heartbeat is set.
        if time.monotonic() - self._process_beat_at < heartbeats.MIN_INTERVAL:
            return
        heartbeats.beat(self.runner.db.session_factory, self.worker_id, "worker")
        self._process_beat_at = time.monotonic()
