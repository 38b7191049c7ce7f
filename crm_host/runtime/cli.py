"""``crm worker``, ``crm scheduler``, ``crm jobs …`` and ``crm webhooks …``."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from crm_host.cli._common import fail_if_broken, host
from crm_host.core.errors import CrmError
from crm_host.core.models import Job
from crm_host.core.models.runtime import JOB_STATUSES
from crm_host.records import audit
from crm_host.runtime import queue, webhooks
from crm_host.runtime.api import job_query, shown_status
from crm_host.runtime.current import get_runtime
from crm_host.runtime.facade import enqueue as enqueue_job


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


@click.group("jobs")
def jobs() -> None:
    """Background jobs: list, show progress, retry parked ones."""


def _line(job: Job) -> str:
    progress = job.progress
    shown = (
        f"{progress['done']}/{progress['total']}" if progress["total"] else str(progress["done"])
    )
    owner = job.plugin or "host"
    error = f"  {job.error_summary[:80]}" if job.error_summary else ""
    return (
        f"{job.id:>6}  {shown_status(job):<8} {job.name:<28} {owner:<14} "
        f"{job.attempts}/{job.max_attempts}  {shown:<11}{error}"
    )


@jobs.command("list")
@click.option("--status", type=click.Choice(JOB_STATUSES))
@click.option("--name", help="Job name, e.g. host.webhook.")
@click.option("--plugin")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@with_appcontext
def list_jobs(status: str | None, name: str | None, plugin: str | None, limit: int, as_json: bool):
    """List jobs, newest first."""
    query = job_query({"status": status, "name": name, "plugin": plugin})
    rows = list(host().session.scalars(query.order_by(Job.id.desc()).limit(limit)))
    if not as_json:
        click.echo(f"{'id':>6}  {'status':<8} {'name':<28} {'plugin':<14} try  progress")
    for job in rows:
        if as_json:
            click.echo(json.dumps(_record(job), ensure_ascii=False))
        else:
            click.echo(_line(job))


def _record(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "name": job.name,
        "plugin": job.plugin,
        "status": job.status,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "department_id": job.department_id,
        "event_id": job.event_id,
        "idempotency_key": job.idempotency_key,
        "progress": job.progress,
        "checkpoint": job.cursor,
        "run_after": job.run_after.isoformat(),
        "error": job.error_summary,
    }


def _get(job_id: int) -> Job:
    try:
        return queue.get_job(host().session, job_id)
    except CrmError as error:
        raise click.ClickException(error.message) from None


@jobs.command("show")
@click.argument("job_id", type=click.IntRange(1))
@click.option("--follow", is_flag=True, help="Show a progress bar until the job finishes.")
@click.option(
    "--timeout",
    type=click.FloatRange(0),
    default=None,
    help="Stop following after this many seconds.",
)
@with_appcontext
def show(job_id: int, follow: bool, timeout: float | None) -> None:
    """Show one job: state, progress, checkpoint and last error (--follow: a progress bar)."""
    job = _get(job_id)
    if follow:
        job = _follow(job_id, timeout)
    for key, value in _record(job).items():
        click.echo(f"{key:<16} {value}")
    if job.status != "done" and job.last_error and "\n" in job.last_error:
        click.echo("trace:")
        click.echo(job.last_error.split("\n", 1)[1].rstrip())
    if follow and job.status == "failed":
        raise SystemExit(1)


def _follow(job_id: int, timeout: float | None) -> Job:
    session = host().session
    deadline = time.monotonic() + timeout if timeout is not None else None
    job = _get(job_id)
    length = job.progress_total or 0
    with click.progressbar(length=length or 1, label=f"job {job_id} {job.name}") as bar:
        shown = 0
        while True:
            session.expire_all()
            session.rollback()  # a fresh snapshot each look
            job = _get(job_id)
            if job.progress_total and job.progress_total != bar.length:
                bar.length = job.progress_total
            done = job.progress_done if job.progress_total else (1 if job.status == "done" else 0)
            if done > shown:
                bar.update(done - shown)
                shown = done
            if job.status in ("done", "failed"):
                break
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(0.5)
    return job


@jobs.command("retry")
@click.argument("job_id", type=click.IntRange(1))
@with_appcontext
def retry(job_id: int) -> None:
    """Put a parked (failed) job back in the queue with fresh attempts."""
    session = host().session
    try:
        job = queue.retry(session, job_id)
    except CrmError as error:
        raise click.ClickException(error.message) from None
    audit.record(session, "retry", "job", job.id, after={"name": job.name})
    session.commit()
    click.echo(f"job {job.id} ({job.name}) queued again")


@jobs.command("enqueue")
@click.argument("name")
@click.option(
    "--args", "args_json", default="{}", help='The job\'s arguments as JSON, e.g. {"n": 5}.'
)
@click.option("--key", help="Idempotency key: enqueueing the same key again adds nothing.")
@with_appcontext
def enqueue(name: str, args_json: str, key: str | None) -> None:
    """Queue a registered job by name."""
    try:
        args = json.loads(args_json)
    except ValueError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--args") from None
    if not isinstance(args, dict):
        raise click.BadParameter("give a JSON object", param_hint="--args")
    session = host().session
    try:
        job_id = enqueue_job(session, name, args, key=key)
    except CrmError as error:
        raise click.ClickException(error.message) from None
    session.commit()
    click.echo(f"job {job_id} queued")


@click.group("webhooks")
def webhooks_group() -> None:
    """Outgoing webhooks: URLs that receive events, signed with HMAC-SHA256."""


@webhooks_group.command("add")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    help="An event (hook) name, or * for all; repeat for several.",
)
@click.option("--secret", help="The signing secret (made for you when left out).")
@click.option("--description", default="")
@with_appcontext
def add_webhook(url: str, events: tuple[str, ...], secret: str | None, description: str) -> None:
    """Send EVENTs to URL; prints the signing secret (shown only now)."""
    session = host().session
    try:
        subscription = webhooks.add_subscription(
            session, url=url, events=list(events), secret=secret, description=description
        )
    except CrmError as error:
        raise click.ClickException(error.message) from None
    audit.record(
        session,
        "create",
        "webhook",
        subscription.id,
        after={"url": subscription.url, "events": subscription.events},
    )
    session.commit()
    click.echo(f"webhook {subscription.id}: {subscription.url} ← {', '.join(subscription.events)}")
    click.echo(f"secret: {subscription.secret}")


@webhooks_group.command("list")
@with_appcontext
def list_webhooks() -> None:
    """List webhook subscriptions."""
    for subscription in webhooks.list_subscriptions(host().session):
        state = "active" if subscription.active else "paused"
        click.echo(
            f"{subscription.id:>4}  {state:<7} {subscription.url}  "
            f"{', '.join(subscription.events)}  {subscription.description}".rstrip()
        )


@webhooks_group.command("remove")
@click.argument("webhook_id", type=click.IntRange(1))
@with_appcontext
def remove_webhook(webhook_id: int) -> None:
    """Remove a webhook subscription."""
    session = host().session
    try:
        subscription = webhooks.get_subscription(session, webhook_id)
        before = {"url": subscription.url, "events": subscription.events}
        webhooks.remove_subscription(session, webhook_id)
    except CrmError as error:
        raise click.ClickException(error.message) from None
    audit.record(session, "delete", "webhook", webhook_id, before=before)
    session.commit()
    click.echo(f"webhook {webhook_id} removed")


commands = [worker, scheduler, jobs, webhooks_group]
