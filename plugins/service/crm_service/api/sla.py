"""SLA policies (``/api/v1/service/sla-policies``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import require
from crm_service import sla
from crm_service.api.blueprint import db_session, policies_blp
from crm_service.models import SlaPolicy
from crm_service.permissions import MANAGE, READ
from crm_service.schemas import SlaPolicyIn, SlaPolicyOut


@policies_blp.route("")
class Policies(MethodView):
    @require(READ)
    @policies_blp.response(200, SlaPolicyOut(many=True))
    def get(self) -> list[Any]:
        """Every SLA policy, by name."""
        return list(db_session().scalars(sa.select(SlaPolicy).order_by(SlaPolicy.name)))

    @require(MANAGE)
    @policies_blp.arguments(SlaPolicyIn)
    @policies_blp.response(201, SlaPolicyOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an SLA policy (targets in working minutes of its calendar)."""
        session = db_session()
        policy = sla.save_policy(session, data)
        session.commit()
        return policy


@policies_blp.route("/<id:policy_id>")
class PolicyResource(MethodView):
    @require(READ)
    @policies_blp.response(200, SlaPolicyOut)
    def get(self, policy_id: int) -> Any:
        """One SLA policy."""
        return sla.get_policy(db_session(), policy_id)

    @require(MANAGE)
    @policies_blp.arguments(SlaPolicyIn(partial=True))
    @policies_blp.response(200, SlaPolicyOut)
    def patch(self, data: dict[str, Any], policy_id: int) -> Any:
        """Change an SLA policy; tickets already running keep the clocks they started with."""
        session = db_session()
        policy = sla.save_policy(session, data, sla.get_policy(session, policy_id))
        session.commit()
        return policy
