"""The runtime of one application: settings, the job registry, and how events get delivered.

``init_app`` builds it when the app is created. After a transaction that emitted
events commits, :meth:`Runtime.events_committed` decides what happens: in the test
tier the deliveries run at once on the same connection (``inline``); with a worker
thread in the process it is woken; otherwise a ``crm worker`` finds them when it
next looks.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.host import Host, get_host
from crm_host.core.models import Job, OutboxEvent
from crm_host.plugins.facade import PluginManager
from crm_host.plugins.manifest import PluginError
from crm_host.runtime import outbox
from crm_host.runtime.context import JobContext
from crm_host.runtime.current import EXTENSION, runtime_of
from crm_host.runtime.events import deliver_event
from crm_host.runtime.registry import JobRegistry
from crm_host.runtime.settings import RuntimeSettings
from crm_host.runtime.webhooks import deliver_webhook

log = logging.getLogger("crm_host.runtime")
PRUNE_JOB = "host.prune"


@dataclass
class Runtime:
    """Everything the runtime keeps per application (``app.extensions["crm_runtime"]``)."""

    app: Flask
    host: Host
    settings: RuntimeSettings
    jobs: JobRegistry
    #: Deliver events right after commit, in the committing thread (the ``db`` test tier).
    inline: bool = False
    #: The worker working the queue in a thread of this process, when one runs.
    worker: Any = None
    _thread: threading.Thread | None = None
    _local: threading.local = field(default_factory=threading.local)
    _starting: threading.Lock = field(default_factory=threading.Lock)
    _celery: Any = None
    #: Builds the app a Celery worker runs jobs in (``crm_host.app.create_app``).
    app_factory: Callable[[], Flask] | None = None

    def events_committed(self) -> None:
        """Called after a transaction that emitted events committed."""
        if self.inline:
            self.deliver_now()
        elif self.worker is not None:
            self.worker.wake()

    def deliver_now(self, *, now: Any = None) -> int:
        """Run the due event and webhook deliveries here and now; returns how many ran.

        Re-entrant calls (a handler whose own events commit) leave the work to the
        outer call, which keeps going until nothing is due.
        """
        from crm_host.runtime._runner import Runner

        if getattr(self._local, "delivering", False):
            return 0
        self._local.delivering = True
        try:
            return Runner(self.app).run_due(names=outbox.DELIVERY_JOBS, now=now)
        except Exception:
            # The write committed; a delivery problem must not reach its author.
            log.exception("inline delivery failed")
            return 0
        finally:
            self._local.delivering = False

    def start_worker_thread(self) -> Any:
        """Start (once) a daemon thread working the queue and the schedules in this process."""
        from crm_host.runtime._runner import Worker

        with self._starting:
            if self.worker is None:
                worker = Worker(self.app, with_scheduler=True, name="web")
                thread = threading.Thread(target=worker.run, name="crm-worker", daemon=True)
                thread.start()
                atexit.register(self.stop_worker_thread)
                self.worker, self._thread = worker, thread
        return self.worker

    def stop_worker_thread(self, timeout: float = 30.0) -> None:
        """Stop this process's worker thread after the job in hand, and wait for it."""
        with self._starting:
            worker, thread = self.worker, self._thread
            self.worker = self._thread = None
        if worker is not None:
            worker.stop()
        if thread is not None:
            thread.join(timeout)

    @property
    def celery(self) -> Any:
        """The Celery application carrying jobs when ``CRM_BROKER_URL`` is set."""
        if self._celery is None:
            from crm_host.runtime.broker import make_celery

            self._celery = make_celery(self.settings, self.app_factory)
        return self._celery

    @property
    def worker_thread_wanted(self) -> bool:
        """Whether this web process should work the queue itself (``CRM_WORKER_THREAD``)."""
        if self.settings.broker_url:
            return False  # Celery workers take the jobs
        if self.settings.worker_thread is not None:
            return self.settings.worker_thread
        # The embedded default needs no second command; tests start threads themselves.
        return self.host.db.dialect == "sqlite" and not self.app.testing


def register_host_jobs(registry: JobRegistry) -> None:
    """The runtime's own jobs: event and webhook deliveries, pruning the queue, emails.

    The domain's jobs (imports) come from :func:`crm_host.domain.jobs.register_domain_jobs`,
    handed to :func:`init_app` by the app: the runtime sits below the domain.
    """
    from crm_host.records import notifications

    registry.job(outbox.EVENT_JOB, deliver_event)
    registry.job(outbox.WEBHOOK_JOB, deliver_webhook)
    registry.job(PRUNE_JOB, prune)
    registry.schedule(PRUNE_JOB, every=timedelta(days=1), per_department=False)
    registry.job(notifications.SEND_JOB, notifications.send_email_job)
    registry.schedule(notifications.SEND_JOB, every=timedelta(minutes=1), per_department=False)


def prune(job: JobContext) -> None:
    """The ``host.prune`` job: drop finished jobs and delivered events past the keep period.

    Parked (failed) jobs are kept until someone retries or removes them.
    """
    settings = runtime_of(job.session).settings
    limit = utcnow() - timedelta(days=settings.jobs_keep_days)
    done = job.session.execute(
        sa.delete(Job).where(Job.status == "done", Job.finished_at < limit)
    ).rowcount
    unfinished = sa.select(Job.id).where(Job.event_id == OutboxEvent.id)
    events = job.session.execute(
        sa.delete(OutboxEvent).where(OutboxEvent.created_at < limit, ~unfinished.exists())
    ).rowcount
    job.progress(done + events, done + events)


def scrub_outbox(session: Session, secrets: set[str]) -> None:
    """Erasure: take a customer's personal values out of event payloads and job arguments."""
    from crm_host.core.scrubbing import scrub_json_column

    events, jobs = OutboxEvent.__table__, Job.__table__
    scrub_json_column(session, events.c.payload, events.c.id, secrets)
    scrub_json_column(session, jobs.c.args, jobs.c.id, secrets)


def init_app(
    app: Flask,
    *,
    host_jobs: Sequence[Callable[[JobRegistry], None]] = (),
    app_factory: Callable[[], Flask] | None = None,
) -> Runtime:
    """Build the runtime of ``app``: settings, the job registry of the loaded plugins.

    ``host_jobs`` register the host's jobs of higher layers (the domain's) after the
    runtime's own; ``app_factory`` builds the app a Celery worker process runs jobs in.
    Both are handed in by :func:`crm_host.app.create_app`, which the runtime must not
    import.

    Raises :class:`~crm_host.plugins.facade.PluginError` naming the plugin whose jobs are bad,
    and :class:`~crm_host.runtime.settings.SettingsError` for a bad setting.
    """
    host = get_host(app)
    runtime = Runtime(
        app=app,
        host=host,
        settings=RuntimeSettings.from_config(app.config),
        jobs=collect_jobs(host.plugins, _all_host_jobs(host_jobs)),
        app_factory=app_factory,
    )
    app.extensions[EXTENSION] = runtime
    # Sessions copy the database's info: code holding a session finds the runtime.
    host.db.info["crm_runtime"] = runtime
    host.scrubbers.append(scrub_outbox)
    from crm_host.records.notifications import scrub_notifications

    host.scrubbers.append(scrub_notifications)
    outbox.install_listeners()

    @app.before_request
    def _start_worker_thread() -> None:
        if runtime.worker is None and runtime.worker_thread_wanted:
            runtime.start_worker_thread()

    return runtime


def _all_host_jobs(
    more: Sequence[Callable[[JobRegistry], None]],
) -> Callable[[JobRegistry], None]:
    """The runtime's jobs, then ``more``, as the one host registrar ``collect_jobs`` takes."""

    def register(registry: JobRegistry) -> None:
        register_host_jobs(registry)
        for registrar in more:
            registrar(registry)

    return register


def collect_jobs(plugins: PluginManager, host_jobs: Callable[[JobRegistry], None]) -> JobRegistry:
    """The host's jobs, then every loaded plugin's, in load order.

    Raises :class:`PluginError` naming the plugin whose contribution is bad.
    """
    registry = JobRegistry()
    host_jobs(registry.registering(None, "host"))
    for name, function, argnames in plugins.implementations("crm_register_jobs"):
        registry.registering(name, plugins.manifest(name).slug)
        try:
            function(**{a: {"registry": registry}[a] for a in argnames})
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {name} failed to register its jobs: {exc}") from exc
    registry.registering(None, "host")
    return registry
