"""The signed-in user's notifications under ``/api/v1/notifications``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from crm_host.api.schemas import ObjectLinkOut
from crm_host.core.host import get_host
from crm_host.core.models import Notification
from crm_host.core.pagination import PageArgs, newest_first
from crm_host.records import notifications
from crm_host.security.permissions import signed_in

blp = Blueprint("notifications", __name__, description="Your notifications")


class NotificationOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    link = ma.fields.String(allow_none=True)
    plugin = ma.fields.String(allow_none=True)
    object_type = ma.fields.String(allow_none=True)
    object_id = ma.fields.String(allow_none=True)
    read_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    object = ma.fields.Nested(
        ObjectLinkOut,
        allow_none=True,
        metadata={"description": "The registered object it is about (label and links)"},
    )


class NotificationPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationOut))
    next_cursor = ma.fields.String(allow_none=True)
    unread = ma.fields.Integer()


class NotificationQuery(PageArgs):
    unread_only = ma.fields.Boolean(load_default=False)


@blp.route("")
class Notifications(MethodView):
    @signed_in
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, NotificationPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Your notifications, newest first, with how many are unread."""
        session, user = get_host().session, current_user.user
        query = notifications.of_user(session, user)
        if args["unread_only"]:
            query = query.where(Notification.read_at.is_(None))
        page = newest_first(session, query, Notification, args)
        # About an object the user may no longer read: left out (the page may run short).
        page["items"] = notifications.with_objects(
            session, user, notifications.shown(session, user, page["items"])
        )
        return {**page, "unread": notifications.unread(session, user)}


@blp.route("/<id:notification_id>/read")
class Read(MethodView):
    @signed_in
    @blp.response(200, NotificationOut)
    def post(self, notification_id: int) -> dict[str, Any]:
        """Mark one of your notifications read."""
        session = get_host().session
        note = notifications.mark_read(session, current_user.user, notification_id)
        session.commit()
        return notifications.with_objects(session, current_user.user, [note])[0]
