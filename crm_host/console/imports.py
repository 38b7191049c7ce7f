"""Customer imports in the console: upload, a progress view, the rejects file."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from crm_host.console._access import page
from crm_host.console.forms import field_errors
from crm_host.core.errors import ValidationFailed
from crm_host.core.host import get_host
from crm_host.domain.importing import uploads
from crm_host.domain.importing.readers import ENCODINGS, FORMATS
from crm_host.web._limits import accepts_body

bp = Blueprint("import_pages", __name__, url_prefix="/customers/imports")

#: Job states after which the progress view stops polling.
FINISHED = ("done", "failed")


@bp.route("/new", methods=["GET", "POST"])
@accepts_body("import")
@page("host.customers.import")
def upload() -> str | Response:
    """Upload a customers file (CSV, JSON Lines, XLSX) and queue its import."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        fmt = request.form.get("format") or None
        encoding = request.form.get("encoding") or None
        if fmt is not None and fmt not in FORMATS:
            errors["format"] = [_("Unknown format.")]
        elif encoding is not None and encoding not in ENCODINGS:
            errors["encoding"] = [_("Unknown encoding.")]
        elif "file" not in request.files:
            errors["file"] = [_("Choose a file.")]
        else:
            session = get_host().session
            try:
                job_id = uploads.queue_upload(
                    session, request.files["file"], fmt=fmt, encoding=encoding
                )
                session.commit()
            except ValidationFailed as error:
                session.rollback()
                errors = field_errors(error.details)
            else:
                return redirect(url_for("import_pages.progress", job_id=job_id))
    return render_template(
        "crm/imports/upload.html", errors=errors, formats=FORMATS, encodings=ENCODINGS
    )


@bp.route("/<id:job_id>")
@page("host.customers.import")
def progress(job_id: int) -> str:
    """Where an import stands; the page refreshes its figures until the job ends."""
    status = uploads.describe(get_host().session, job_id)
    template = (
        "crm/imports/_status.html"
        if request.headers.get("HX-Request")
        else "crm/imports/progress.html"
    )
    return render_template(template, status=status, finished=status["status"] in FINISHED)


@bp.route("/<id:job_id>/rejects")
@page("host.customers.import")
def rejects(job_id: int) -> Response:
    """The refused rows as CSV: line, reason, the row's values."""
    target = uploads.rejects_file(get_host().session, job_id)
    return send_file(
        target,
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"rejects-{job_id}.csv",
        max_age=0,
    )
