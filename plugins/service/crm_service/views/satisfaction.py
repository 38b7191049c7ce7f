"""Console pages of survey results: a table and a bar chart of mean CSAT by group."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from crm_host.sdk import get_host
from crm_host.sdk.web import Chart, chart_json, page
from crm_service import surveys
from crm_service.labels import GROUP_LABELS
from crm_service.permissions import READ
from crm_service.views.blueprint import bp


@bp.route("/satisfaction")
@page(READ)
def satisfaction() -> str:
    """Survey results by agent, queue or category, as a bar chart of mean CSAT."""
    by = request.args.get("by", "agent")
    if by not in surveys.GROUPS:
        by = "agent"
    return render_template(
        "service/satisfaction.html",
        rows=surveys.results(get_host().session, by),
        by=by,
        groups=GROUP_LABELS,
        chart=Chart(str(_l("Mean CSAT")), url_for(".satisfaction_chart", by=by)),
    )


@bp.route("/satisfaction/chart")
@page(READ)
def satisfaction_chart() -> Response:
    """The chart's data: mean CSAT and answers per group."""
    by = request.args.get("by", "agent")
    if by not in surveys.GROUPS:
        by = "agent"
    rows = surveys.results(get_host().session, by)
    return chart_json(
        [row["label"] or "—" for row in rows],
        {str(_l("Mean CSAT")): [row["csat"] for row in rows]},
    )
