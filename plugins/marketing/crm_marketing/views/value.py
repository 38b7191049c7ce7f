"""Customer value: the pyramid, the loyalty–value matrix, churn risk and win-back."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from crm_host.sdk import CrmError
from crm_host.sdk.web import Chart, chart_json, page
from crm_marketing import lifetime_value, rfm, winback
from crm_marketing.i18n import _l
from crm_marketing.i18n import translate as _
from crm_marketing.permissions import RFM_READ, SEGMENTS_WRITE
from crm_marketing.views.blueprint import bp, current_session

TIER_LABELS = {
    "top": _l("Top"),
    "big": _l("Big"),
    "medium": _l("Medium"),
    "small": _l("Small"),
}
QUADRANT_LABELS = {
    "true_friend": _l("True friends"),
    "barnacle": _l("Barnacles"),
    "butterfly": _l("Butterflies"),
    "stranger": _l("Strangers"),
}
RISK_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}


@bp.route("/value")
@page(RFM_READ)
def value() -> str:
    """Customer pyramid, loyalty–value matrix, churn risk and the lifetime-value model."""
    session = current_session()
    return render_template(
        "marketing/value.html",
        tiers=rfm.pyramid(session),
        quadrants=rfm.loyalty_value(session),
        risks=lifetime_value.churn_counts(session),
        model=lifetime_value.current_model(session),
        computed_at=rfm.last_refreshed(session),
        tier_labels=TIER_LABELS,
        quadrant_labels=QUADRANT_LABELS,
        risk_labels=RISK_LABELS,
        model_labels={"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD"},
        pyramid_chart=Chart(_("Customer pyramid"), url_for(".pyramid_chart")),
        risk_chart=Chart(_("Customers per churn risk"), url_for(".churn_chart"), kind="pie"),
    )


@bp.route("/value/pyramid.json")
@page(RFM_READ)
def pyramid_chart() -> Response:
    """Chart data: customers per pyramid tier, best first."""
    tiers = rfm.pyramid(current_session())
    return chart_json(
        [str(TIER_LABELS[t["tier"]]) for t in tiers],
        {_("Customers"): [t["customers"] for t in tiers]},
    )


@bp.route("/value/churn.json")
@page(RFM_READ)
def churn_chart() -> Response:
    """Chart data: customers per churn risk."""
    counts = lifetime_value.churn_counts(current_session())
    return chart_json(
        [str(RISK_LABELS[r]) for r in counts], {_("Customers"): list(counts.values())}
    )


@bp.route("/value/win-back", methods=["POST"])
@page(SEGMENTS_WRITE)
def win_back() -> BaseResponse:
    """Create the win-back segment of at-risk and lapsed customers and open it."""
    session = current_session()
    try:
        segment = winback.create_winback_segment(session, actor=current_user.user)
        session.commit()
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".value"))
    flash(_("Win-back segment created."))
    return redirect(url_for(".segment_edit", segment_id=segment.id))
