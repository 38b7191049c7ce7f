"""Inspection plans and records: ``/inspection-plans``."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user

from crm_host.sdk import require, utcnow
from crm_industry_power import inspections
from crm_industry_power import permissions as p
from crm_industry_power.api.blueprint import blp, current_session
from crm_industry_power.models import InspectionPlan, InspectionRecord
from crm_industry_power.schemas import inspections as s
from crm_industry_power.zones import company_timezone


def _today() -> Any:
    return utcnow().astimezone(company_timezone()).date()


@blp.route("/inspection-plans")
class InspectionPlans(MethodView):
    @require(p.INSPECTIONS_READ)
    @blp.arguments(s.InspectionPlanQuery, location="query")
    @blp.response(200, s.InspectionPlanOut(many=True))
    def get(self, args: dict[str, Any]) -> list[InspectionPlan]:
        """Inspection plans by due date; ``overdue=true`` for those whose date has passed."""
        return inspections.plans(
            current_session(),
            account_id=args["account_id"],
            overdue_on=_today() if args["overdue"] else None,
        )

    @require(p.INSPECTIONS_WRITE)
    @blp.arguments(s.InspectionPlanIn)
    @blp.response(201, s.InspectionPlanOut)
    def post(self, data: dict[str, Any]) -> InspectionPlan:
        """Plan a recurring inspection of a service point or of one piece of equipment."""
        session = current_session()
        plan = inspections.save_plan(session, data)
        session.commit()
        return plan


@blp.route("/inspection-plans/<id:plan_id>")
class InspectionPlanResource(MethodView):
    @require(p.INSPECTIONS_READ)
    @blp.response(200, s.InspectionPlanOut)
    def get(self, plan_id: int) -> InspectionPlan:
        """One inspection plan."""
        return inspections.get_plan(current_session(), plan_id)

    @require(p.INSPECTIONS_WRITE)
    @blp.arguments(s.InspectionPlanIn(partial=True))
    @blp.response(200, s.InspectionPlanOut)
    def patch(self, data: dict[str, Any], plan_id: int) -> InspectionPlan:
        """Change a plan's interval, due date, responsible user or switch it off."""
        session = current_session()
        plan = inspections.save_plan(session, data, inspections.get_plan(session, plan_id))
        session.commit()
        return plan


@blp.route("/inspection-plans/<id:plan_id>/records")
class InspectionRecords(MethodView):
    @require(p.INSPECTIONS_READ)
    @blp.response(200, s.InspectionRecordOut(many=True))
    def get(self, plan_id: int) -> list[InspectionRecord]:
        """The plan's inspections, newest first."""
        session = current_session()
        inspections.get_plan(session, plan_id)
        return inspections.records(session, plan_id)

    @require(p.INSPECTIONS_WRITE)
    @blp.arguments(s.InspectionRecordIn)
    @blp.response(201, s.InspectionRecordOut)
    def post(self, data: dict[str, Any], plan_id: int) -> InspectionRecord:
        """Record an inspection (patrol or check); the plan's next due date moves on."""
        session = current_session()
        data.setdefault("inspector_id", current_user.user.id)
        row = inspections.record(
            session, inspections.get_plan(session, plan_id), data, today=_today()
        )
        session.commit()
        return row
