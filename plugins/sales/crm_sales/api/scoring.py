"""``/scoring-rules``: the lead-scoring rules."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales import scoring
from crm_sales.api.common import blp, current_session


@blp.route("/scoring-rules")
class ScoringRules(MethodView):
    @require(p.LEADS_READ)
    @blp.response(200, s.ScoringRuleOut(many=True))
    def get(self) -> list[Any]:
        """The lead-scoring rules in force."""
        return scoring.active_rules(current_session())

    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.ScoringRuleIn)
    @blp.response(201, s.ScoringRuleOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a lead-scoring rule; the leads being worked are rescored."""
        session = current_session()
        rule = scoring.add_rule(session, data)
        scoring.rescore_all(session)
        session.commit()
        return rule
