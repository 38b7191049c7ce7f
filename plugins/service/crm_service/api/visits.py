"""Return visits (``/api/v1/service/return-visits``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require, utcnow
from crm_service import tickets, visits
from crm_service.api.blueprint import check_writable, current_actor, db_session, visits_blp
from crm_service.permissions import READ, WRITE
from crm_service.schemas import ReturnVisitIn, ReturnVisitOut, ReturnVisitQuery


@visits_blp.route("")
class ReturnVisits(MethodView):
    @require(READ)
    @visits_blp.arguments(ReturnVisitQuery, location="query")
    @visits_blp.response(200, ReturnVisitOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Return visits not made yet, soonest first: due now, or all; yours, or all."""
        return visits.pending(
            db_session(),
            now=utcnow() if args["due"] else None,
            assignee_id=current_actor().id if args["mine"] else None,
        )


@visits_blp.route("/<id:visit_id>/outcome")
class ReturnVisitOutcome(MethodView):
    @require(WRITE, record=True)
    @visits_blp.arguments(ReturnVisitIn)
    @visits_blp.response(200, ReturnVisitOut)
    def put(self, data: dict[str, Any], visit_id: int) -> Any:
        """Record what the return visit found (again to correct it)."""
        session = db_session()
        visit = visits.get_visit(session, visit_id)
        check_writable(tickets.get_ticket(session, visit.ticket_id))
        visits.record(
            session, visit, outcome=data["outcome"], note=data.get("note"), actor=current_actor()
        )
        session.commit()
        return visit
