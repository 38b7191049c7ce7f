"""Removing uploaded import files that outlived their import (``host.imports.cleanup``).

An import deletes its uploaded file when it finishes. A file whose import failed for
good, or that was left by a crash, is removed by this hourly job once it is older
than ``CRM_IMPORT_UPLOAD_RETENTION_HOURS`` (24 by default) — unless an import still
waiting or running reads it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow

JOB_NAME = "host.imports.cleanup"
SETTING = "IMPORT_UPLOAD_RETENTION_HOURS"
DEFAULT_RETENTION_HOURS = 24


def retention(app: Flask) -> timedelta:
    """How long an upload may stay after its import stopped, from the app's settings."""
    value = app.config.get(SETTING, DEFAULT_RETENTION_HOURS)
    try:
        hours = float(value)
    except (TypeError, ValueError):
        hours = -1
    if not hours >= 0:
        raise ValueError(f"CRM_{SETTING} must be a number of hours (0 or more), not {value!r}")
    return timedelta(hours=hours)


def files_in_use(session: Session) -> set[Path]:
    """The files imports that are queued or running still have to read."""
    from crm_host.core.models import Job
    from crm_host.domain.importing.jobs import JOB_NAME as IMPORT_JOB

    args = session.scalars(
        sa.select(Job.args).where(Job.name == IMPORT_JOB, Job.status.in_(("queued", "running")))
    )
    return {Path(a["path"]).resolve() for a in args if a and a.get("path")}


def remove_stale_uploads(
    session: Session, folder: Path, keep: timedelta, now: datetime | None = None
) -> list[Path]:
    """Delete the files of ``folder`` older than ``keep`` that no unfinished import
    reads; returns what was deleted."""
    if not folder.is_dir():
        return []
    limit = (now or utcnow()).timestamp() - keep.total_seconds()
    in_use = files_in_use(session)
    removed = []
    for file in sorted(folder.iterdir()):
        if file.is_file() and file.resolve() not in in_use and file.stat().st_mtime <= limit:
            file.unlink(missing_ok=True)
            removed.append(file)
    return removed


def cleanup(job: Any) -> None:
    """The ``host.imports.cleanup`` job."""
    from crm_host.domain.importing.uploads import upload_folder

    removed = remove_stale_uploads(job.session, upload_folder(job.app), retention(job.app))
    job.progress(len(removed), len(removed))
