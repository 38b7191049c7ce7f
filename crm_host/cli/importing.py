"""``crm import NAME FILE``: run any registered importer (``crm customers import`` is one)."""

from __future__ import annotations

import secrets
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from crm_host.cli._common import fail, host
from crm_host.core.db import utcnow
from crm_host.core.errors import ValidationFailed
from crm_host.core.models import Job
from crm_host.domain.importing import jobs as import_jobs
from crm_host.domain.importing.collect import collect_importers
from crm_host.domain.importing.readers import ENCODINGS, FORMATS, ImportFileError


def import_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The arguments and options every import command takes."""
    options = [
        click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), help="Default: from the extension."
        ),
        click.option(
            "--encoding", type=click.Choice(ENCODINGS), help="Default: detected (UTF-8 or GB18030)."
        ),
        click.option(
            "--rejects",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Where to write refused rows (default: FILE.rejects.csv).",
        ),
        click.option(
            "--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000)
        ),
        click.option(
            "--again",
            is_flag=True,
            help="Import the file once more even though it was imported before.",
        ),
        click.option(
            "--option",
            "-o",
            "importer_options",
            multiple=True,
            metavar="KEY=VALUE",
            help="An option of the importer for this file (e.g. -o unit=kWh); repeatable.",
        ),
        click.option(
            "--queue",
            "queued",
            is_flag=True,
            help="Only queue the import for a worker (crm worker) and print its job id.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("import")
@click.argument("name")
@import_options
@with_appcontext
def import_command(name: str, file: Path, **options: Any) -> None:
    """Import FILE with the importer NAME (customers, or <slug>.<name> of a plugin)."""
    import_file(name, file, **options)


def import_file(
    name: str,
    file: Path,
    *,
    fmt: str | None,
    encoding: str | None,
    rejects: Path | None,
    batch_size: int,
    again: bool,
    queued: bool,
    importer_options: tuple[str, ...] = (),
) -> None:
    """Queue an import job for ``file`` and, unless ``queued``, run it here with a progress bar."""
    from crm_host.runtime.facade import enqueue
    from crm_host.runtime.queue import get_job

    current = host()
    importers = collect_importers(current.plugins)
    if importers.get(name) is None:
        known = ", ".join(sorted(importers.importers))
        raise click.ClickException(f"no importer named {name} (available: {known})")
    session = current.session
    try:
        args = import_jobs.job_args(
            file,
            importer=name,
            fmt=fmt,
            encoding=encoding,
            rejects=rejects,
            batch_size=batch_size,
            session=session,
            options=parse_options(importer_options),
        )
    except ImportFileError as error:
        raise click.ClickException(f"{file}: {error}") from error
    except ValidationFailed as error:
        raise click.ClickException(f"{file}: {fail(error).message}") from error
    key = import_jobs.file_key(file, name, args["options"])
    if again:
        key = f"{key}:{secrets.token_hex(4)}"
    job_id = enqueue(session, import_jobs.JOB_NAME, args, key=key)
    # The same file again while its job waits for a retry (a full disk, a lost
    # database): whoever runs the command wants it now, not after the backoff.
    session.execute(
        sa.update(Job).where(Job.id == job_id, Job.status == "queued").values(run_after=utcnow())
    )
    session.commit()
    # On SQLite a session holds the write lock from its first statement: read the job
    # with sessions that only read, never the one the import is waiting on.
    session.close()
    if queued:
        click.echo(f"Queued import job {job_id}; `crm jobs show {job_id} --follow` to watch it.")
        return
    with current.db.read_session() as reading:
        already_done = get_job(reading, job_id).status == "done"
    if already_done:
        click.echo(f"{file} was imported before (job {job_id}); --again imports it once more.")
    else:
        run_in_foreground(job_id)
    with current.db.read_session() as reading:
        job = get_job(reading, job_id)
        rejected = import_jobs.count_rejects(reading, job.idempotency_key)
        notices = import_jobs.notices(reading, job.idempotency_key)
    if job.status != "done":
        raise click.ClickException(
            f"import job {job_id} is {job.status}: {job.error_summary or 'see crm jobs show'}"
        )
    totals = (job.checkpoint or {}).get("cursor") or {}
    click.echo(
        f"Imported {file}: {totals.get('created', 0)} created, {totals.get('updated', 0)} updated, "
        f"{totals.get('unchanged', 0)} unchanged, {rejected} rejected."
    )
    if rejected:
        click.echo(f"Rejected rows: {args['rejects']}")
    for line, text in notices:
        click.echo(f"line {line}: {text}")


def parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("unit=kWh", "interval=15")`` as a dict; a pair without ``=`` is refused."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--option")
        options[key.strip()] = value.strip()
    return options


def run_in_foreground(job_id: int) -> None:
    """Work the import job in this process with a progress bar.

    A job left running by an import that was killed is taken over at once when its
    process is gone; a job another live process holds is only watched.
    """
    from crm_host.runtime._runner import Runner
    from crm_host.runtime.queue import get_job
    from crm_host.runtime.reclaim import requeue_dead_local

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
                if job.progress_total:
                    bar.length = max(job.progress_total, job.progress_done)
                bar.update(job.progress_done - bar.pos)
                if not worker.is_alive() or job.status in ("done", "failed"):
                    break
    worker.join()
