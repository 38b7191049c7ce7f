"""Satisfaction survey results (``/api/v1/service/surveys``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require
from crm_service import surveys
from crm_service.api.blueprint import db_session, surveys_blp
from crm_service.permissions import READ
from crm_service.schemas import SurveyResultOut, SurveyResultsQuery


@surveys_blp.route("/results")
class SurveyResults(MethodView):
    @require(READ)
    @surveys_blp.arguments(SurveyResultsQuery, location="query")
    @surveys_blp.response(200, SurveyResultOut(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Answered surveys by agent, queue or category: answers, mean CSAT, NPS."""
        return surveys.results(db_session(), args["by"])
