"""The pipeline board (move a deal to another stage) and its charts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, get_host
from crm_host.sdk.web import Chart, chart_json, check_form_version, page
from crm_sales import forecast, performance, pipeline, records
from crm_sales.models import Opportunity, OpportunityStatus
from crm_sales.permissions import OPPORTUNITIES_READ, OPPORTUNITIES_WRITE
from crm_sales.views.common import bp, form_fields, refuse


@bp.route("/")
@page(OPPORTUNITIES_READ)
def pipeline_board() -> str:
    """The pipeline board: open opportunities by stage, with value and weighted value."""
    session = get_host().session
    user = current_user.user
    visible = records.visible(session, user, Opportunity, OPPORTUNITIES_READ)
    deals = session.scalars(
        sa.select(Opportunity)
        .where(visible, Opportunity.status == OpportunityStatus.OPEN)
        .order_by(Opportunity.expected_close, Opportunity.id)
        .limit(500)
    )
    by_stage: dict[str, list[Opportunity]] = {}
    for deal in deals:
        by_stage.setdefault(deal.stage.code, []).append(deal)
    return render_template(
        "sales/pipeline.html",
        board=forecast.pipeline_summary(session, visible),
        by_stage=by_stage,
        stages=pipeline.stages(session),
        forecast=forecast.forecast(session, visible),
        charts=[
            Chart(gettext("Weighted forecast by month"), url_for(".forecast_chart")),
            Chart(gettext("Stage funnel"), url_for(".funnel_chart")),
        ],
    )


@bp.route("/charts/forecast")
@page(OPPORTUNITIES_READ)
def forecast_chart() -> Response:
    """The weighted value of the open deals the user may see, by close month; one series
    per currency, since yuan and euros are never added together."""
    session = get_host().session
    user = current_user.user
    rows = forecast.forecast(
        session, records.visible(session, user, Opportunity, OPPORTUNITIES_READ)
    )
    months = list(dict.fromkeys(row["month"] for row in rows))
    weighted = {(row["month"], row["currency"]): row["weighted"] for row in rows}
    return chart_json(
        [month or gettext("No close date") for month in months],
        {
            gettext("Weighted (%(currency)s)", currency=currency): [
                float(weighted.get((month, currency), 0)) for month in months
            ]
            for currency in sorted({row["currency"] for row in rows})
        },
    )


@bp.route("/charts/funnel")
@page(OPPORTUNITIES_READ)
def funnel_chart() -> Response:
    """Deals that reached each stage, in board order."""
    session = get_host().session
    names = {stage.code: stage.name for stage in pipeline.stages(session)}
    steps = performance.funnel(session)
    return chart_json(
        [gettext(names.get(step.code, step.code)) for step in steps],
        {gettext("Deals reached"): [step.reached for step in steps]},
    )


@bp.route("/opportunities/<id:opportunity_id>/stage", methods=["POST"])
@page(OPPORTUNITIES_WRITE)
def move_stage(opportunity_id: int) -> Response:
    """Move a deal to the stage chosen on the board (a lost one needs a reason)."""
    session = get_host().session
    user = current_user.user
    try:
        deal = pipeline.get_opportunity(session, opportunity_id)
        records.check(session, user, deal, OPPORTUNITIES_WRITE)
        check_form_version(deal, request.form)
        form = form_fields()
        stage = pipeline.find_stage(session, form.get("stage", ""))
        pipeline.change_stage(session, deal, stage, actor=user, lost_reason=form.get("lost_reason"))
        session.commit()
        flash(gettext("%(deal)s moved to %(stage)s.", deal=deal.name, stage=gettext(stage.name)))
    except CrmError as error:
        refuse(error)
    return redirect(url_for(".pipeline_board"))
