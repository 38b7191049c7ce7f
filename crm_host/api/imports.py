"""Imports over the API: upload a file, follow the job, download the rejects."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Response, current_app, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from crm_host.errors import NotFound, ValidationFailed
from crm_host.host import get_host
from crm_host.importing import jobs as import_jobs
from crm_host.importing.readers import FORMATS, ImportFileError
from crm_host.permissions import require

blp = Blueprint("imports", __name__, description="Customer imports")


class ImportIn(ma.Schema):
    format = ma.fields.String(validate=ma.validate.OneOf(FORMATS), load_default=None)
    batch_size = ma.fields.Integer(
        load_default=1000, validate=ma.validate.Range(min=1, max=100_000)
    )


class ImportFileIn(ma.Schema):
    file = Upload(required=True)


class ImportOut(ma.Schema):
    job_id = ma.fields.Integer()
    status = ma.fields.String()
    progress_done = ma.fields.Integer()
    progress_total = ma.fields.Integer(allow_none=True)
    totals = ma.fields.Dict()
    rejected = ma.fields.Integer()


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _describe(job_id: int) -> dict[str, Any]:
    from crm_host.runtime.queue import get_job

    session = get_host().session
    job = get_job(session, job_id)
    if job.name != import_jobs.JOB_NAME:
        raise NotFound(f"no import with job id {job_id}")
    return {
        "job_id": job.id,
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "totals": (job.checkpoint or {}).get("cursor") or {},
        "rejected": import_jobs.count_rejects(session, job.idempotency_key),
    }


@blp.route("")
class Imports(MethodView):
    @require("host.customers.import")
    @blp.arguments(ImportIn, location="form")
    @blp.arguments(ImportFileIn, location="files")
    @blp.response(202, ImportOut)
    def post(self, options: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        """Upload a customers file (CSV, JSON Lines, XLSX) and queue its import."""
        from crm_host.runtime import enqueue

        upload = files["file"]
        suffix = Path(upload.filename or "").suffix.lower()
        if options["format"] is None and suffix.lstrip(".") not in (
            "csv",
            "txt",
            "jsonl",
            "ndjson",
            "xlsx",
        ):
            raise ValidationFailed(
                "give format, or a file ending .csv, .jsonl or .xlsx",
                details={"format": ["Cannot tell the format from the name."]},
            )
        # The host names the stored file: the uploaded name never becomes a path.
        path = _folder() / f"{secrets.token_hex(16)}{suffix if suffix.isascii() else ''}"
        upload.save(path)
        session = get_host().session
        try:
            args = import_jobs.job_args(
                path, fmt=options["format"], batch_size=options["batch_size"], session=session
            )
        except ImportFileError as error:
            path.unlink(missing_ok=True)
            raise ValidationFailed(str(error), details={"file": [str(error)]}) from error
        job_id = enqueue(session, import_jobs.JOB_NAME, args, key=import_jobs.file_key(path))
        session.commit()
        return _describe(job_id)


@blp.route("/<id:import_id>")
class ImportStatus(MethodView):
    @require("host.customers.import")
    @blp.response(200, ImportOut)
    def get(self, import_id: int) -> dict[str, Any]:
        """Where an import stands: status, progress, totals, rejected rows."""
        return _describe(import_id)


@blp.route("/<id:import_id>/rejects")
class ImportRejects(MethodView):
    @require("host.customers.import")
    @blp.response(200, content_type="text/csv")
    def get(self, import_id: int) -> Response:
        """The refused rows as CSV: line, reason, the row's values."""
        from crm_host.runtime.queue import get_job

        session = get_host().session
        job = get_job(session, import_id)
        if job.name != import_jobs.JOB_NAME:
            raise NotFound(f"no import with id {import_id}")
        target = _folder() / f"rejects-{import_id}.csv"
        if not import_jobs.write_rejects(session, job.idempotency_key, target):
            raise NotFound(f"import {import_id} has no rejected rows")
        return send_file(
            target,
            mimetype="text/csv",
            as_attachment=True,
            download_name=f"rejects-{import_id}.csv",
            max_age=0,
        )
