"""Searching the audit log under ``/api/v1/audit`` (read-only: there is no write route)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from crm_host.api.schemas import ObjectLinkOut
from crm_host.core.fields import Id
from crm_host.core.host import get_host
from crm_host.core.models import AuditLog
from crm_host.core.objects.links import audit_links
from crm_host.core.pagination import PageArgs, newest_first, where_equal
from crm_host.security.permissions import require

blp = Blueprint("audit", __name__, description="The audit log")


class AuditQuery(PageArgs):
    object_type = ma.fields.String(validate=ma.validate.Length(max=100))
    object_id = ma.fields.String(validate=ma.validate.Length(max=64))
    actor = ma.fields.String(validate=ma.validate.Length(max=200))
    actor_id = Id()
    action = ma.fields.String(validate=ma.validate.Length(max=64))
    plugin = ma.fields.String(validate=ma.validate.Length(max=64))
    since = ma.fields.AwareDateTime()
    until = ma.fields.AwareDateTime()


class AuditOut(ma.Schema):
    id = ma.fields.Integer()
    occurred_at = ma.fields.DateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    actor = ma.fields.String()
    action = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.String(allow_none=True)
    plugin = ma.fields.String(allow_none=True)
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)
    row_count = ma.fields.Integer()
    object = ma.fields.Nested(
        ObjectLinkOut,
        allow_none=True,
        metadata={"description": "The registered object the row is about, when you may read it"},
    )


class AuditPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AuditOut))
    next_cursor = ma.fields.String(allow_none=True)


def search(args: dict[str, Any]) -> sa.Select[Any]:
    """The audit query for the given filters (shared by the API and ``crm audit``)."""
    query = where_equal(
        sa.select(AuditLog),
        AuditLog,
        args,
        ("object_type", "object_id", "actor", "actor_id", "action", "plugin"),
    )
    if args.get("since"):
        query = query.where(AuditLog.occurred_at >= args["since"])
    if args.get("until"):
        query = query.where(AuditLog.occurred_at < args["until"])
    return query


@blp.route("")
class Audit(MethodView):
    @require("host.audit.manage")
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search the audit log, newest first."""
        session = get_host().session
        page = newest_first(session, search(args), AuditLog, args)
        links = audit_links(session, current_user.user, page["items"])
        fields = [name for name in AuditOut._declared_fields if name != "object"]
        page["items"] = [
            {**{name: getattr(row, name) for name in fields}, "object": link}
            for row, link in zip(page["items"], links, strict=True)
        ]
        return page


__all__ = ["blp", "datetime", "search"]
