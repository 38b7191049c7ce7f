"""The RFM grid and its chart."""

from __future__ import annotations

from flask import Response, render_template, url_for

from crm_host.sdk.web import Chart, chart_json, page
from crm_marketing import rfm
from crm_marketing.i18n import translate as _
from crm_marketing.permissions import RFM_READ
from crm_marketing.views.blueprint import bp, current_session


@bp.route("/rfm")
@page(RFM_READ)
def rfm_grid() -> str:
    """The RFM grid: customers per recency × frequency cell, and spend bands as a chart."""
    session = current_session()
    counts = rfm.grid(session)
    chart = Chart(_("Customers per monetary score"), url_for(".rfm_monetary_chart"))
    return render_template(
        "marketing/rfm.html",
        counts=counts,
        computed_at=rfm.last_refreshed(session),
        chart=chart,
    )


@bp.route("/rfm/monetary.json")
@page(RFM_READ)
def rfm_monetary_chart() -> Response:
    """Chart data: how many customers have each monetary score."""
    bands = rfm.monetary_bands(current_session())
    return chart_json(
        [str(m) for m in range(1, 6)],
        {_("Customers"): [bands.get(m, 0) for m in range(1, 6)]},
    )
