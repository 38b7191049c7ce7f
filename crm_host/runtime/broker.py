"""The Celery backend of the job queue: the same jobs, carried by Redis or RabbitMQ.

The ``jobs`` table stays the record of every job — its idempotency key, attempts,
backoff, checkpoint and parked failures — so nothing about a job changes with the
backend. Celery only carries job ids:

* ``crm scheduler`` enqueues scheduled jobs as always and, every
  ``dispatch_interval``, hands due queued jobs to the broker
  (:func:`crm_host.runtime.queue.take_for_dispatch`); it also requeues jobs whose
  worker stopped answering, as polling workers do;
* ``crm worker`` is a Celery worker; its task claims the job by compare-and-set and
  runs it with the same :class:`~crm_host.runtime._runner.Runner` as a polling worker.

Tasks are acknowledged late and rejected when their worker is lost, so a worker
killed mid-job has the task delivered again; the redelivery finds the job claimed by
a dead process, takes it over and resumes a batch job at its last checkpoint — each
committed batch's effect exists once however often the task is delivered.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from flask import Flask

from crm_host.runtime import queue, reclaim
from crm_host.runtime.settings import RuntimeSettings

log = logging.getLogger("crm_host.runtime")

QUEUE_NAME = "crm"
TASK_NAME = "crm.run_job"
#: What to install when the broker's libraries are missing.
INSTALL_HINT = 'pip install "crm-host[celery]"'


class CeleryMissing(RuntimeError):
    """``CRM_BROKER_URL`` is set but Celery (or its Redis client) is not installed."""


def _import_celery(broker_url: str | None) -> Any:
    """The ``Celery`` class; :class:`CeleryMissing` naming the extra when it cannot be had."""
    try:
        from celery import Celery

        # kombu imports the Redis client only when it first connects, deep in a
        # worker's start-up: find out now, while the message can still be one line.
        if (broker_url or "").split(":", 1)[0] in ("redis", "rediss"):
            import redis  # noqa: F401
    except ModuleNotFoundError as error:
        raise CeleryMissing(
            f"CRM_BROKER_URL is set but {error.name or 'celery'} is not installed: {INSTALL_HINT}"
        ) from None
    return Celery


def make_celery(settings: RuntimeSettings, app_factory: Any = None) -> Any:
    """A Celery application on ``settings.broker_url`` with the host's one task.

    ``app_factory`` builds the Flask application a worker process runs jobs in, once
    per process (the runtime passes ``crm_host.app.create_app``, handed to it by the
    app: the runtime does not import the app). Raises
    :class:`CeleryMissing` when the ``celery`` extra is not installed.
    """
    Celery = _import_celery(settings.broker_url)
    celery = Celery("crm_host", broker=settings.broker_url, set_as_current=False)
    celery.conf.update(
        task_default_queue=settings.broker_queue,
        # Workers take no remote-control commands: nothing here uses them, and their
        # per-host control queue makes two workers on one machine trip over each other.
        worker_enable_remote_control=False,
        # A task is acknowledged once its job has finished, and handed to another
        # worker when the one running it dies: at-least-once, like the database queue.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One message at a time per worker: a prefetched one would wait behind a long job.
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout},
    )
    state: dict[str, Any] = {}

    def flask_app() -> Flask:
        if "app" not in state:
            if app_factory is None:
                raise RuntimeError("this Celery application was made without an app factory")
            state["app"] = app_factory()
        return state["app"]

    @celery.task(name=TASK_NAME, bind=True)
    def run_job(task: Any, job_id: int) -> str:
        """Run job ``job_id`` from the database queue, if it is still to be run."""
        return run_delivered_job(flask_app(), job_id, redelivered=_redelivered(task))

    celery.crm_flask_app = flask_app  # type: ignore[attr-defined]
    return celery


def _redelivered(task: Any) -> bool:
    info = getattr(task.request, "delivery_info", None) or {}
    return bool(info.get("redelivered"))


def run_delivered_job(app: Flask, job_id: int, *, redelivered: bool = False) -> str:
    """What a worker does with a delivered job id; returns what became of the job.

    ``skipped`` when the job is not queued (done already, parked, or running in a live
    worker — a duplicate delivery), else the :meth:`Runner.run` outcome.
    """
    from crm_host.runtime._runner import Runner

    runner = Runner(app)
    factory = runner.db.session_factory
    # A redelivery after the worker holding the job was killed on this machine: take
    # the claim back at once instead of waiting for the heartbeat timeout.
    reclaim.requeue_dead_local(factory, job_id)
    claim = queue.claim_job(factory, runner.worker_id, job_id)
    log.info(
        "delivery of job %s%s: %s",
        job_id,
        " (redelivered)" if redelivered else "",
        "claimed" if claim else "nothing to do",
    )
    if claim is None:
        return "skipped"
    beating = _Heartbeat(runner)
    beating.start()
    try:
        return runner.run(claim)
    finally:
        beating.stop()


class _Heartbeat:
    """Beats for the worker's claims while a job runs, as a polling worker does."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="crm-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        interval = self.runner.runtime.settings.jobs_heartbeat_interval
        while not self._done.wait(interval):
            try:
                queue.heartbeat(self.runner.db.session_factory, self.runner.worker_id)
            except Exception:
                log.exception("worker %s: heartbeat failed", self.runner.worker_id)


def dispatch_due(app: Flask, celery: Any) -> list[int]:
    """Requeue abandoned jobs, then hand every due queued job to the broker."""
    from crm_host.core.host import get_host
    from crm_host.runtime.current import get_runtime

    settings = get_runtime(app).settings
    factory = get_host(app).db.session_factory
    queue.requeue_stale(factory, settings.jobs_heartbeat_timeout)
    job_ids = queue.take_for_dispatch(factory, redispatch_after=settings.redispatch_after)
    for job_id in job_ids:
        celery.send_task(TASK_NAME, args=[job_id], queue=celery.conf.task_default_queue)
    return job_ids


def worker_argv(
    concurrency: int, queue_name: str = QUEUE_NAME, loglevel: str = "INFO"
) -> list[str]:
    """The arguments ``crm worker`` starts a Celery worker with."""
    # A process pool: a job that never returns, or one killed, takes only its child down;
    # the parent rejects the task so that it is delivered again. Each worker gets a node
    # name of its own, so several may run on one machine.
    return [
        "worker",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        f"--queues={queue_name}",
        f"--hostname=crm-{os.getpid()}@%h",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
