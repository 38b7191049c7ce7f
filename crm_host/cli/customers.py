"""``crm customers …``: merge (and the data commands that join it)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from crm_host.cli.common import host
from crm_host.customers import dedupe, export
from crm_host.customers.merge import merge_customers
from crm_host.errors import CrmError
from crm_host.importing import jobs as import_jobs
from crm_host.importing.readers import FORMATS, ImportFileError
from crm_host.models import Customer


@click.group("customers")
def group() -> None:
    """Customers: merge duplicates, import, export."""


def _by_code(session: sa.orm.Session, code: str) -> Customer:
    customer = session.scalar(sa.select(Customer).where(Customer.code == code))
    if customer is None:
        raise click.ClickException(f"no customer with code {code!r}")
    return customer


@group.command("merge")
@click.argument("survivor")
@click.argument("merged")
@with_appcontext
def merge(survivor: str, merged: str) -> None:
    """Merge customer MERGED into SURVIVOR (codes); SURVIVOR is kept."""
    session = host().session
    try:
        kept = merge_customers(session, _by_code(session, survivor), _by_code(session, merged))
        session.commit()
    except CrmError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"Merged {merged} into {kept.code}.")


@group.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(export.FORMATS), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (default: standard output).",
)
@click.option("--archived/--no-archived", default=False, help="Include archived customers.")
@with_appcontext
def export_command(fmt: str, output: str | None, archived: bool) -> None:
    """Export customers as CSV (UTF-8 with BOM), JSON Lines or XLSX."""
    session = host().session
    if output:
        with open(output, "wb") as out:
            count = export.write(session, out, fmt, include_archived=archived)
        click.echo(f"Exported {count} customers to {output}.", err=True)
        return
    if fmt == "xlsx" and sys.stdout.isatty():
        raise click.ClickException("XLSX is binary: give --output FILE")
    stream = sys.stdout.buffer
    count = export.write(session, stream, fmt, include_archived=archived)
    stream.flush()
    click.echo(f"Exported {count} customers.", err=True)


@group.command("dedupe")
@click.option(
    "--by",
    "keys",
    multiple=True,
    type=click.Choice(dedupe.KEYS),
    help="Keys to compare (default: all of email, phone, code, name).",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1_000_000))
@with_appcontext
def dedupe_command(keys: tuple[str, ...], limit: int) -> None:
    """List groups of likely duplicate customers; merge them with `crm customers merge A B`."""
    session = host().session
    groups = dedupe.find_duplicates(session, keys or dedupe.KEYS)
    codes = {i: c for i, c in session.execute(sa.select(Customer.id, Customer.code))}
    for group_ in groups[:limit]:
        members = ", ".join(codes[i] for i in group_.customer_ids)
        click.echo(f"{group_.key:<6} {group_.value:<32} {members}")
    click.echo(f"{len(groups)} group(s) of candidates.", err=True)


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: from the extension.")
@click.option("--encoding", type=click.Choice(["utf-8-sig", "gb18030"]), help="Default: detected.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write refused rows (default: FILE.rejects.csv).",
)
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--again", is_flag=True, help="Import the file once more even though it was imported before."
)
@click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Only queue the import for a worker (crm worker) and print its job id.",
)
@with_appcontext
def import_command(
    file: Path,
    fmt: str | None,
    encoding: str | None,
    rejects: Path | None,
    batch_size: int,
    again: bool,
    queued: bool,
) -> None:
    """Import customers from CSV (UTF-8 or GB18030), JSON Lines or XLSX.

    The header uses the API's field names (code,name,kind,email,phone,city,…).
    Rows are upserted on code; refused rows go to the rejects file with their line
    and reason. Killed half-way, running the same command again resumes.
    """
    from crm_host.runtime import enqueue
    from crm_host.runtime.queue import get_job

    session = host().session
    try:
        args = import_jobs.job_args(
            file, fmt=fmt, encoding=encoding, rejects=rejects, batch_size=batch_size
        )
    except ImportFileError as error:
        raise click.ClickException(f"{file}: {error}") from error
    key = import_jobs.file_key(file)
    if again:
        key = f"{key}:{secrets.token_hex(4)}"
    job_id = enqueue(session, import_jobs.JOB_NAME, args, key=key)
    session.commit()
    # On SQLite a session holds the write lock from its first statement: read the job
    # with short sessions of their own, never the one the import is waiting on.
    session.close()
    if queued:
        click.echo(f"Queued import job {job_id}; `crm jobs show {job_id} --follow` to watch it.")
        return
    factory = host().db.read_session
    with factory() as reading:
        already_done = get_job(reading, job_id).status == "done"
    if already_done:
        click.echo(f"{file} was imported before (job {job_id}); --again imports it once more.")
    else:
        run_in_foreground(job_id)
    with factory() as reading:
        job = get_job(reading, job_id)
        rejected = import_jobs.count_rejects(reading, job.idempotency_key)
    totals = (job.checkpoint or {}).get("cursor") or {}
    if job.status != "done":
        raise click.ClickException(
            f"import job {job_id} is {job.status}: {job.last_error or 'see crm jobs show'}"
        )
    click.echo(
        f"Imported {file}: {totals.get('created', 0)} created, {totals.get('updated', 0)} updated, "
        f"{totals.get('unchanged', 0)} unchanged, {rejected} rejected."
    )
    if rejected:
        click.echo(f"Rejected rows: {args['rejects']}")


def run_in_foreground(job_id: int) -> None:
    """Work the import job in this process with a progress bar.

    A job left running by an import that was killed is taken over at once when its
    process is gone; a job another live process holds is only watched.
    """
    import threading

    from crm_host.runtime.queue import get_job, requeue_dead_local
    from crm_host.runtime.runner import Runner

    app = current_app._get_current_object()
    database = host().db
    requeue_dead_local(database.session_factory, job_id)
    runner = Runner(app)
    worker = threading.Thread(
        target=runner.run_due, kwargs={"names": [import_jobs.JOB_NAME]}, daemon=True
    )
    worker.start()
    with click.progressbar(length=1, label="Importing", file=sys.stderr) as bar:
        while True:
            worker.join(0.3)
            with database.read_session() as watch:
                job = get_job(watch, job_id)
                total = job.progress_total or 0
                if total:
                    bar.length = max(total, job.progress_done)
                bar.update(job.progress_done - bar.pos)
                if not worker.is_alive() or job.status in ("done", "failed"):
                    break
    worker.join()
