"""Imports over the API: upload a file, follow the job, download the rejects."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from crm_host.core.host import get_host
from crm_host.domain.importing import uploads
from crm_host.domain.importing.readers import ENCODINGS, FORMATS
from crm_host.security.permissions import require
from crm_host.web._limits import accepts_body

blp = Blueprint("imports", __name__, description="Customer imports")


class ImportIn(ma.Schema):
    format = ma.fields.String(validate=ma.validate.OneOf(FORMATS), load_default=None)
    encoding = ma.fields.String(
        validate=ma.validate.OneOf(ENCODINGS),
        load_default=None,
        metadata={"description": "Default: detected (UTF-8 or GB18030)"},
    )
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
    notices = ma.fields.Integer()


@blp.route("")
class Imports(MethodView):
    @accepts_body("import")
    @require("host.customers.import")
    @blp.arguments(ImportIn, location="form")
    @blp.arguments(ImportFileIn, location="files")
    @blp.response(202, ImportOut)
    def post(self, options: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        """Upload a customers file (CSV, JSON Lines, XLSX) and queue its import."""
        session = get_host().session
        job_id = uploads.queue_upload(
            session,
            files["file"],
            fmt=options["format"],
            encoding=options["encoding"],
            batch_size=options["batch_size"],
        )
        session.commit()
        return uploads.describe(get_host().session, job_id)


@blp.route("/<id:import_id>")
class ImportStatus(MethodView):
    @require("host.customers.import")
    @blp.response(200, ImportOut)
    def get(self, import_id: int) -> dict[str, Any]:
        """Where an import stands: status, progress, totals, rejected rows."""
        return uploads.describe(get_host().session, import_id)


@blp.route("/<id:import_id>/rejects")
class ImportRejects(MethodView):
    @require("host.customers.import")
    @blp.response(200, content_type="text/csv")
    def get(self, import_id: int) -> Response:
        """The refused rows as CSV: line, reason, the row's values."""
        target = uploads.rejects_file(get_host().session, import_id)
        return send_file(
            target,
            mimetype="text/csv",
            as_attachment=True,
            download_name=f"rejects-{import_id}.csv",
            max_age=0,
        )
