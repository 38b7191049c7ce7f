"""``/opportunities``: open, change, move, win and lose deals, and their stage history."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import require
from crm_host.sdk.web import (
    check_if_match,
    documents_etag,
    documents_if_match,
    newest_first,
    send_etag,
    where_equal,
)
from crm_sales import permissions as p
from crm_sales import pipeline
from crm_sales import schemas as s
from crm_sales.api.common import blp, check_record, current_actor, current_session, visible
from crm_sales.models import Opportunity, Stage


@blp.route("/opportunities")
class Opportunities(MethodView):
    @require(p.OPPORTUNITIES_READ)
    @blp.arguments(s.OpportunityQuery, location="query")
    @blp.response(200, s.OpportunityPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List opportunities, newest first; filter by status, stage, customer or owner."""
        query = sa.select(Opportunity).where(visible(Opportunity, p.OPPORTUNITIES_READ))
        query = where_equal(query, Opportunity, args, ("status", "customer_id", "owner_id"))
        if args.get("stage"):
            query = query.join(Stage, Stage.id == Opportunity.stage_id).where(
                Stage.code == args["stage"]
            )
        return newest_first(current_session(), query, Opportunity, args)

    @require(p.OPPORTUNITIES_WRITE)
    @blp.arguments(s.OpportunityIn)
    @blp.response(201, s.OpportunityOut)
    def post(self, data: dict[str, Any]) -> Opportunity:
        """Open an opportunity (in the first open stage unless ``stage`` says otherwise)."""
        session = current_session()
        opportunity = pipeline.create_opportunity(session, data, actor=current_actor())
        session.commit()
        return opportunity


def _opportunity(opportunity_id: int, permission: str) -> Opportunity:
    opportunity = pipeline.get_opportunity(current_session(), opportunity_id)
    check_record(opportunity, permission)
    if permission == p.OPPORTUNITIES_WRITE:
        # Every write route changes the opportunity: If-Match guards them all.
        check_if_match(opportunity)
    return opportunity


@blp.route("/opportunities/<id:opportunity_id>")
class OpportunityResource(MethodView):
    @require(p.OPPORTUNITIES_READ, record=True)
    @blp.response(200, s.OpportunityOut)
    @documents_etag(blp)
    def get(self, opportunity_id: int) -> Opportunity:
        """One opportunity; ``ETag`` names its version."""
        return send_etag(_opportunity(opportunity_id, p.OPPORTUNITIES_READ))

    @require(p.OPPORTUNITIES_WRITE, record=True)
    @blp.arguments(s.OpportunityPatch)
    @blp.response(200, s.OpportunityOut)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], opportunity_id: int) -> Opportunity:
        """Change an opportunity's amount, close date, owner…; its stage has its own route."""
        session = current_session()
        opportunity = _opportunity(opportunity_id, p.OPPORTUNITIES_WRITE)
        pipeline.update_opportunity(session, opportunity, data, actor=current_actor())
        session.commit()
        return send_etag(opportunity)


@blp.route("/opportunities/<id:opportunity_id>/stage")
class OpportunityStage(MethodView):
    @require(p.OPPORTUNITIES_WRITE, record=True)
    @blp.arguments(s.StageChangeIn)
    @blp.response(200, s.OpportunityOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], opportunity_id: int) -> Opportunity:
        """Move an opportunity to another stage; the change is kept in its history."""
        session = current_session()
        opportunity = _opportunity(opportunity_id, p.OPPORTUNITIES_WRITE)
        stage = pipeline.find_stage(session, data["stage"])
        pipeline.change_stage(
            session, opportunity, stage, actor=current_actor(), lost_reason=data.get("lost_reason")
        )
        session.commit()
        return send_etag(opportunity)


@blp.route("/opportunities/<id:opportunity_id>/won")
class OpportunityWon(MethodView):
    @require(p.OPPORTUNITIES_WRITE, record=True)
    @blp.response(200, s.OpportunityOut)
    @documents_if_match(blp)
    def post(self, opportunity_id: int) -> Opportunity:
        """Close an opportunity as won."""
        session = current_session()
        opportunity = _opportunity(opportunity_id, p.OPPORTUNITIES_WRITE)
        pipeline.win(session, opportunity, actor=current_actor())
        session.commit()
        return send_etag(opportunity)


@blp.route("/opportunities/<id:opportunity_id>/lost")
class OpportunityLost(MethodView):
    @require(p.OPPORTUNITIES_WRITE, record=True)
    @blp.arguments(s.LostIn)
    @blp.response(200, s.OpportunityOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], opportunity_id: int) -> Opportunity:
        """Close an opportunity as lost, saying why."""
        session = current_session()
        opportunity = _opportunity(opportunity_id, p.OPPORTUNITIES_WRITE)
        pipeline.lose(session, opportunity, data["reason"], actor=current_actor())
        session.commit()
        return send_etag(opportunity)


@blp.route("/opportunities/<id:opportunity_id>/history")
class OpportunityHistory(MethodView):
    @require(p.OPPORTUNITIES_READ, record=True)
    @blp.response(200, s.StageChangeOut(many=True))
    def get(self, opportunity_id: int) -> list[Any]:
        """Every stage change of the opportunity, oldest first."""
        _opportunity(opportunity_id, p.OPPORTUNITIES_READ)
        return pipeline.history(current_session(), opportunity_id)
