"""``/departments/<id>/assignment`` and ``/users/<id>/capacity``: how new leads find
an owner."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require
from crm_sales import assignment
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales.api.common import blp, current_session


@blp.route("/departments/<id:department_id>/assignment")
class DepartmentAssignment(MethodView):
    @require(p.LEADS_READ)
    @blp.response(200, s.AssignmentOut)
    def get(self, department_id: int) -> dict[str, Any]:
        """How the department's leads are assigned, with each seller's load and capacity."""
        return assignment.overview(current_session(), department_id)

    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.AssignmentIn)
    @blp.response(200, s.AssignmentOut)
    def post(self, data: dict[str, Any], department_id: int) -> dict[str, Any]:
        """Choose round-robin or least-loaded assignment for the department."""
        session = current_session()
        assignment.set_method(session, department_id, data["method"])
        session.commit()
        return assignment.overview(session, department_id)


@blp.route("/users/<id:user_id>/capacity")
class SellerCapacity(MethodView):
    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.CapacityIn)
    @blp.response(200, s.CapacityIn)
    def post(self, data: dict[str, Any], user_id: int) -> dict[str, Any]:
        """Cap the open leads and opportunities least-loaded assignment gives the user."""
        session = current_session()
        assignment.set_capacity(session, user_id, data["capacity"])
        session.commit()
        return {"capacity": data["capacity"]}
