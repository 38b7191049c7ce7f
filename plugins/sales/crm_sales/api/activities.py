"""``/activities``: plan calls, meetings and tasks, and mark them done."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import require
from crm_host.sdk.web import newest_first, where_equal
from crm_sales import activities
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales.api.common import blp, current_actor, current_session
from crm_sales.models import Activity


@blp.route("/activities")
class Activities(MethodView):
    @require(p.ACTIVITIES_READ)
    @blp.arguments(s.ActivityQuery, location="query")
    @blp.response(200, s.ActivityPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List activities, newest first; filter by owner, customer, or still open."""
        query = where_equal(sa.select(Activity), Activity, args, ("owner_id", "customer_id"))
        if args.get("open") is not None:
            query = query.where(
                Activity.done_at.is_(None) if args["open"] else Activity.done_at.is_not(None)
            )
        return newest_first(current_session(), query, Activity, args)

    @require(p.ACTIVITIES_WRITE)
    @blp.arguments(s.ActivityIn)
    @blp.response(201, s.ActivityOut)
    def post(self, data: dict[str, Any]) -> Activity:
        """Plan a call, meeting or task about a customer, a lead or an opportunity."""
        session = current_session()
        activity = activities.create_activity(session, data, actor=current_actor())
        session.commit()
        return activity


@blp.route("/activities/<id:activity_id>/done")
class ActivityDone(MethodView):
    @require(p.ACTIVITIES_WRITE)
    @blp.response(200, s.ActivityOut)
    def post(self, activity_id: int) -> Activity:
        """Mark an activity done; it goes on its customer's timeline."""
        session = current_session()
        activity = activities.complete(
            session, activities.get_activity(session, activity_id), actor=current_actor()
        )
        session.commit()
        return activity
