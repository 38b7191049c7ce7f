"""``/pipeline``, ``/forecast`` and ``/performance``: the figures of the pipeline."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require
from crm_sales import forecast, performance
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales.api.common import blp, current_session, visible
from crm_sales.models import Opportunity


@blp.route("/pipeline")
class Pipeline(MethodView):
    @require(p.OPPORTUNITIES_READ)
    @blp.response(200, s.StageFiguresOut(many=True))
    def get(self) -> list[Any]:
        """Open deals per stage: count, value and weighted value per currency."""
        return forecast.pipeline_summary(
            current_session(), visible(Opportunity, p.OPPORTUNITIES_READ)
        )


@blp.route("/forecast")
class Forecast(MethodView):
    @require(p.OPPORTUNITIES_READ)
    @blp.response(200, s.ForecastRowOut(many=True))
    def get(self) -> list[Any]:
        """Weighted value of open deals by expected close month and currency."""
        return forecast.forecast(current_session(), visible(Opportunity, p.OPPORTUNITIES_READ))


@blp.route("/performance")
class Performance(MethodView):
    @require(p.OPPORTUNITIES_READ)
    @blp.response(200, s.PerformanceOut)
    def get(self) -> dict[str, Any]:
        """The stage funnel, the win rate and the mean days from opening to winning."""
        session = current_session()
        return {
            "funnel": performance.funnel(session),
            "win_rate": performance.win_rate(session),
            "average_cycle_days": performance.average_cycle_days(session),
        }
