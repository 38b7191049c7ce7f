"""``crm worker`` and ``crm scheduler``: the long-running processes of the job runtime."""

from __future__ import annotations

import signal
import time
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from crm_host.cli._common import fail_if_broken, host
from crm_host.runtime.current import get_runtime


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def _stop_on_signals(stop: Any) -> None:
    """SIGTERM and Ctrl+C: finish what is in hand, then leave."""

    def handler(signum: int, _frame: Any) -> None:
        click.echo(f"{signal.Signals(signum).name}: finishing the job in hand, then stopping")
        stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@click.command("worker")
@click.option("--until-idle", is_flag=True, help="Stop when no job is due (for cron and scripts).")
@click.option(
    "--concurrency",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes running jobs (Celery backend only).",
)
@click.option(
    "--name",
    default=None,
    help="Stable name of this worker on this machine (default CRM_WORKER_NAME, or "
    "'worker'): restarted under the same name, it takes back the jobs it left running.",
)
@with_appcontext
def worker(until_idle: bool, concurrency: int, name: str | None) -> None:
    """Work the job queue: event deliveries, webhooks, scheduled and queued jobs.

    Run as many as you like, on as many machines: each job is claimed by one worker.
    SIGTERM finishes the job in hand (a batch job: its current batch) and exits.
    With CRM_BROKER_URL set this is a Celery worker taking the jobs ``crm scheduler``
    hands to the broker. Give each worker on one machine its own --name: a worker
    killed and started again takes back its running jobs at once, instead of after
    the heartbeat timeout.
    """
    from crm_host.runtime._runner import Worker

    fail_if_broken()
    runtime = get_runtime(_app())
    if runtime.settings.broker_url:
        from crm_host.runtime.broker import worker_argv

        if until_idle:
            raise click.UsageError("--until-idle works with the database queue only")
        celery = _celery(runtime)
        click.echo(f"celery worker on {_safe_url(runtime.settings.broker_url)} (Ctrl+C to stop)")
        beating = _beating(runtime, "worker", forking=True)
        try:
            celery.worker_main(worker_argv(concurrency, runtime.settings.broker_queue))
        finally:
            beating.stop()
        return
    runner = Worker(_app(), until_idle=until_idle, name=name)
    _stop_on_signals(runner.stop)
    click.echo(f"worker {runner.worker_id} started (Ctrl+C to stop)")
    runner.run()
    click.echo(f"worker {runner.worker_id} stopped after {runner.jobs_run} job(s)")


def _celery(runtime: Any) -> Any:
    """The runtime's Celery app, or one line saying which extra to install."""
    from crm_host.runtime.broker import CeleryMissing

    try:
        return runtime.celery
    except CeleryMissing as error:
        raise click.ClickException(str(error)) from None


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Enqueue (and dispatch) what is due now and exit.")
@with_appcontext
def scheduler(once: bool) -> None:
    """Enqueue scheduled jobs when due, per department that has the plugin enabled.

    Idempotent per time slot: running two schedulers enqueues each job once. With
    CRM_BROKER_URL set it also hands due jobs to the broker for the Celery workers.
    """
    fail_if_broken()
    app = _app()
    runtime = get_runtime(app)
    broker = runtime.settings.broker_url
    # Before the first tick: without the extra, say so rather than enqueue and then fail.
    celery = _celery(runtime) if broker else None
    stopping: list[bool] = []
    if not once:
        _stop_on_signals(lambda: stopping.append(True))
    beating = None if once else _beating(runtime, "scheduler")
    try:
        _schedule(app, runtime, once, stopping, celery)
    finally:
        if beating is not None:
            beating.stop()
    if not once:
        click.echo("scheduler stopped")


def _beating(runtime: Any, kind: str, *, forking: bool = False) -> Any:
    """Start the heartbeat of this process (``crm health worker|scheduler`` checks it).

    ``forking``: Celery's pool forks children from this process, and a database
    connection must not be open across a fork (SQLite's locks break, a server
    connection is shared); the beats then open a connection each time, and the
    app's pooled ones are closed first.
    """
    from sqlalchemy.orm import sessionmaker
    from sqlalchemy.pool import NullPool

    from crm_host.core.db import create_engine
    from crm_host.runtime._runner import default_worker_id
    from crm_host.runtime.heartbeats import Beating

    db = host().db
    factory = db.session_factory
    if forking:
        db.dispose()
        engine = create_engine(db.url, poolclass=NullPool)
        # Beats write: take SQLite's write lock at BEGIN, as the app's sessions do.
        factory = sessionmaker(bind=engine.execution_options(sqlite_begin="IMMEDIATE"))
    interval = runtime.settings.jobs_heartbeat_interval
    return Beating(factory, default_worker_id(), kind, interval).start()


def _schedule(app: Any, runtime: Any, once: bool, stopping: list[bool], celery: Any) -> None:
    """The scheduler's loop: tick when due, hand due jobs to ``celery`` (if a broker), sleep."""
    from crm_host.runtime.scheduler import tick

    broker = runtime.settings.broker_url
    next_tick = 0.0
    while not stopping:
        if time.monotonic() >= next_tick:
            created = tick(app)
            if created or once:
                click.echo(f"enqueued {len(created)} scheduled job(s)")
            next_tick = time.monotonic() + runtime.settings.scheduler_interval
        if broker:
            from crm_host.runtime.broker import dispatch_due

            dispatched = dispatch_due(app, celery)
            if dispatched and once:
                click.echo(f"dispatched {len(dispatched)} job(s) to the broker")
        if once:
            return
        pause = (
            runtime.settings.dispatch_interval if broker else runtime.settings.scheduler_interval
        )
        deadline = time.monotonic() + min(pause, max(0.0, next_tick - time.monotonic()))
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.5, pause))
