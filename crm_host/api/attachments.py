"""Attachments of any object under ``/api/v1/attachments``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, current_app, send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from crm_host.core.host import get_host
from crm_host.core.models.attachments import Attachment
from crm_host.records import attachments
from crm_host.security.permissions import require
from crm_host.sniffing import sniff_stream
from crm_host.web._limits import accepts_body
from crm_host.web.headers import DOWNLOAD_POLICY

blp = Blueprint("attachments", __name__, description="Files attached to customers, tickets…")


class AttachmentOut(ma.Schema):
    id = ma.fields.Integer()
    object_type = ma.fields.String()
    object_id = ma.fields.String()
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    created_at = ma.fields.DateTime()


class TargetIn(ma.Schema):
    object_type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    object_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))


class FileIn(ma.Schema):
    file = Upload(required=True)


def _limit() -> int:
    return int(current_app.config.get("MAX_UPLOAD_BYTES", attachments.DEFAULT_MAX_BYTES))


@blp.route("")
class Attachments(MethodView):
    @require("host.attachments.read")
    @blp.arguments(TargetIn, location="query")
    @blp.response(200, AttachmentOut(many=True))
    def get(self, target: dict[str, Any]) -> list[Attachment]:
        """The files attached to one object you may see (404 for one you may not)."""
        return attachments.attachments_of(
            get_host().session, current_user.user, target["object_type"], target["object_id"]
        )

    @accepts_body("attachment")
    @require("host.attachments.write")
    @blp.arguments(TargetIn, location="form")
    @blp.arguments(FileIn, location="files")
    @blp.response(201, AttachmentOut)
    def post(self, target: dict[str, Any], files: dict[str, Any]) -> Attachment:
        """Attach a file (multipart: ``file``, ``object_type``, ``object_id``) to an object
        you may change."""
        upload = files["file"]
        session = get_host().session
        row = attachments.attach(
            session,
            attachments.storage_for(current_app),
            object_type=target["object_type"],
            object_id=target["object_id"],
            filename=upload.filename or "",
            content_type=upload.mimetype,
            stream=upload.stream,
            limit=_limit(),
            actor=current_user.user,
        )
        session.commit()
        return row


@blp.route("/<id:attachment_id>")
class AttachmentResource(MethodView):
    @require("host.attachments.read")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, attachment_id: int) -> Response:
        """Download the file, under its original name (Chinese names included).

        Served as a download, with the type its bytes show when that is a safe one
        (PNG, JPEG, GIF, PDF, plain text) and ``application/octet-stream`` otherwise —
        never the type the uploader declared.
        """
        row = attachments.get_attachment(get_host().session, attachment_id, actor=current_user.user)
        stream = attachments.storage_for(current_app).open(row.storage_key)
        response = send_file(
            stream,
            mimetype=sniff_stream(stream),
            as_attachment=True,
            download_name=row.filename,
            max_age=0,
        )
        response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
        return response

    @require("host.attachments.write", record=True)
    @blp.response(204)
    def delete(self, attachment_id: int) -> None:
        """Remove a file of an object you may change."""
        session = get_host().session
        user = current_user.user
        row = attachments.get_attachment(session, attachment_id, actor=user, write=True)
        key = attachments.remove(session, row, actor=user)
        session.commit()
        attachments.storage_for(current_app).delete(key)
