"""The escalation chain's steps (``/api/v1/service/escalation-steps``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import require
from crm_service import chain
from crm_service.api.blueprint import db_session, steps_blp
from crm_service.models import EscalationStep
from crm_service.permissions import MANAGE, READ
from crm_service.schemas import EscalationStepIn, EscalationStepOut


@steps_blp.route("")
class EscalationSteps(MethodView):
    @require(READ)
    @steps_blp.response(200, EscalationStepOut(many=True))
    def get(self) -> Any:
        """The escalation chain, soonest step first (inactive steps too)."""
        return (
            db_session()
            .scalars(
                sa.select(EscalationStep).order_by(EscalationStep.after_minutes, EscalationStep.id)
            )
            .all()
        )

    @require(MANAGE)
    @steps_blp.arguments(EscalationStepIn)
    @steps_blp.response(201, EscalationStepOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a step: after N minutes overdue, raise, move or assign, notify."""
        session = db_session()
        step = chain.save_step(session, data)
        session.commit()
        return step


@steps_blp.route("/<id:step_id>")
class EscalationStepResource(MethodView):
    @require(READ)
    @steps_blp.response(200, EscalationStepOut)
    def get(self, step_id: int) -> Any:
        """One escalation step."""
        return chain.get_step(db_session(), step_id)

    @require(MANAGE)
    @steps_blp.arguments(EscalationStepIn(partial=True))
    @steps_blp.response(200, EscalationStepOut)
    def patch(self, data: dict[str, Any], step_id: int) -> Any:
        """Change a step (``active: false`` takes it out of the chain)."""
        session = db_session()
        step = chain.save_step(session, data, chain.get_step(session, step_id))
        session.commit()
        return step
