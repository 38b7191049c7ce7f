"""Imports started from an uploaded file, shared by the API and the console."""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from crm_host.core.errors import NotFound, ValidationFailed
from crm_host.domain.importing import jobs as import_jobs
from crm_host.domain.importing.readers import ImportFileError

#: File name endings the format can be told from.
KNOWN_SUFFIXES = ("csv", "txt", "jsonl", "ndjson", "xlsx")


def upload_folder(app: Flask | None = None) -> Path:
    """Where uploaded import files wait until imported: ``CRM_UPLOADS_DIR``, or the
    instance folder's ``imports`` (several machines: a shared folder, same path on each).
    Owner only: they hold personal data."""
    app = app or current_app
    configured = app.config.get("UPLOADS_DIR")
    folder = Path(configured) if configured else Path(app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # a folder made before, or under a permissive umask
    return folder


def save_private(upload: FileStorage, path: Path) -> None:
    """Save ``upload`` at ``path`` readable by this user only (0600 from the start)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        upload.save(out)


def queue_upload(
    session: Session,
    upload: FileStorage,
    *,
    fmt: str | None,
    encoding: str | None = None,
    batch_size: int = 1000,
    importer: str = "customers",
    options: dict[str, Any] | None = None,
) -> int:
    """Store an uploaded file and queue its import with ``importer``; returns the job id.

    Raises :class:`ValidationFailed` naming the ``file`` or ``format`` field when the
    file cannot be imported (unknown format, undecodable, bad header); the
    importer's ``check_options`` raises it for options it cannot take.
    """
    from crm_host.runtime.facade import enqueue

    suffix = Path(upload.filename or "").suffix.lower()
    if not upload.filename:
        raise ValidationFailed("choose a file to import", details={"file": ["Choose a file."]})
    if fmt is None and suffix.lstrip(".") not in KNOWN_SUFFIXES:
        raise ValidationFailed(
            "give format, or a file ending .csv, .jsonl or .xlsx",
            details={"format": ["Cannot tell the format from the name."]},
        )
    # The host names the stored file: the uploaded name never becomes a path.
    path = upload_folder() / f"{secrets.token_hex(16)}{suffix if suffix.isascii() else ''}"
    save_private(upload, path)
    try:
        args = import_jobs.job_args(
            path,
            importer=importer,
            fmt=fmt,
            encoding=encoding,
            batch_size=batch_size,
            session=session,
            options=options,
        )
    except ImportFileError as error:
        path.unlink(missing_ok=True)
        raise ValidationFailed(str(error), details={"file": [str(error)]}) from error
    except ValidationFailed:
        path.unlink(missing_ok=True)
        raise
    # The job deletes the file once imported; its rejects are downloaded from the
    # database (``rejects_csv``), never written beside it.
    args.update(upload=True, rejects=None)
    key = import_jobs.file_key(path, importer, args["options"])
    job_id = enqueue(session, import_jobs.JOB_NAME, args, key=key)
    if _import_job(session, job_id).args.get("path") != args["path"]:
        path.unlink(missing_ok=True)  # the same file again: its first job reads its own copy
    return job_id


def describe(session: Session, job_id: int) -> dict[str, Any]:
    """Where an import stands: status, progress, totals so far and rejected rows."""
    job = _import_job(session, job_id)
    return {
        "job_id": job.id,
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "totals": (job.checkpoint or {}).get("cursor") or {},
        "rejected": import_jobs.count_rejects(session, job.idempotency_key),
        "notices": len(import_jobs.notices(session, job.idempotency_key)),
        "error": job.last_error,
    }


def rejects_file(session: Session, job_id: int) -> io.BytesIO:
    """The import's rejected rows as a CSV document in memory (nothing is left on
    disk); phone and ID numbers in clear only for a user who may reveal them."""
    from crm_host.core.sensitive import may_reveal

    job = _import_job(session, job_id)
    if not import_jobs.count_rejects(session, job.idempotency_key):
        raise NotFound(f"import {job_id} has no rejected rows")
    text = io.StringIO()
    import_jobs.rejects_csv(session, job.idempotency_key, text, reveal=may_reveal())
    return io.BytesIO(text.getvalue().encode("utf-8-sig"))


def _import_job(session: Session, job_id: int) -> Any:
    from crm_host.runtime.queue import get_job

    job = get_job(session, job_id)
    if job.name != import_jobs.JOB_NAME:
        raise NotFound(f"no import with id {job_id}")
    return job
