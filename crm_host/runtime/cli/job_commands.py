"""``crm jobs …``: list background jobs, follow one, retry a parked one, enqueue by name."""

from __future__ import annotations

import json
import time
from typing import Any

import click
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.core.errors import CrmError
from crm_host.core.models import Job
from crm_host.core.models.runtime import JOB_STATUSES
from crm_host.records import audit
from crm_host.runtime import queue
from crm_host.runtime.api import job_query, shown_status
from crm_host.runtime.facade import enqueue as enqueue_job


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
