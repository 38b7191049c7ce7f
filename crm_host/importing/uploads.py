"""Imports started from an uploaded file, shared by the API and the console."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from crm_host.errors import NotFound, ValidationFailed
from crm_host.importing import jobs as import_jobs
from crm_host.importing.readers import ImportFileError

#: File name endings the format can be told from.
KNOWN_SUFFIXES = ("csv", "txt", "jsonl", "ndjson", "xlsx")


def upload_folder() -> Path:
    """Where uploaded import files and rejects files are kept: ``CRM_UPLOADS_DIR``, or the
    instance folder's ``imports`` (several machines: a shared folder, same path on each)."""
    configured = current_app.config.get("UPLOADS_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def queue_upload(
    session: Session,
    upload: FileStorage,
    *,
    fmt: str | None,
    batch_size: int = 1000,
    importer: str = "customers",
    options: dict[str, Any] | None = None,
) -> int:
    """Store an uploaded file and queue its import with ``importer``; returns the job id.

    Raises :class:`ValidationFailed` naming the ``file`` or ``format`` field when the
    file cannot be imported (unknown format, undecodable, bad header); the
    importer's ``check_options`` raises it for options it cannot take.
    """
    from crm_host.runtime import enqueue

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
    upload.save(path)
    try:
        args = import_jobs.job_args(
            path,
            importer=importer,
            fmt=fmt,
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
    key = import_jobs.file_key(path, importer, args["options"])
    return enqueue(session, import_jobs.JOB_NAME, args, key=key)


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


def rejects_file(session: Session, job_id: int) -> Path:
    """Write the import's rejected rows to a CSV file and return its path."""
    job = _import_job(session, job_id)
    target = upload_folder() / f"rejects-{job_id}.csv"
    if not import_jobs.write_rejects(session, job.idempotency_key, target):
        raise NotFound(f"import {job_id} has no rejected rows")
    return target


def _import_job(session: Session, job_id: int) -> Any:
    from crm_host.runtime.queue import get_job

    job = get_job(session, job_id)
    if job.name != import_jobs.JOB_NAME:
        raise NotFound(f"no import with id {job_id}")
    return job
