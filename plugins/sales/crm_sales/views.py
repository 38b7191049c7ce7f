"""The sales console pages, mounted by the host under ``/sales/`` behind the department gate.

The pipeline board (move a deal to another stage) and the leads page (capture,
move along the status flow, convert). Forms post to the same services as the API;
a refusal comes back as a message at the top of the page, nothing half-written.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm_host.errors import CrmError
from crm_host.host import get_host
from crm_host.permissions import authorize
from crm_sales import forecast, leads, pipeline, records
from crm_sales.i18n import translate
from crm_sales.models import Lead, LeadStatus, Opportunity, OpportunityStatus
from crm_sales.permissions import (
    LEADS_READ,
    LEADS_WRITE,
    OPPORTUNITIES_READ,
    OPPORTUNITIES_WRITE,
)

bp = Blueprint("console", __name__, template_folder="templates")


@bp.context_processor
def _fallback_gettext() -> dict[str, Any]:
    # The host installs Flask-Babel's ``_`` in Jinja; an application built without it
    # still renders these pages, in English.
    if "babel" in current_app.extensions:
        return {}
    return {"_": translate}


def _form() -> dict[str, Any]:
    """The posted fields, blanks left out (an empty input means "not given")."""
    return {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}


def _refused(error: CrmError) -> None:
    get_host().session.rollback()
    details = "; ".join(
        f"{f}: {' '.join(m)}" for f, m in error.details.items() if f != "permission"
    )
    flash(error.message + (f" ({details})" if details else ""), "error")


@bp.route("/")
@login_required
def pipeline_board() -> str:
    """The pipeline board: open opportunities by stage, with value and weighted value."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, OPPORTUNITIES_READ)
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
    )


@bp.route("/opportunities/<id:opportunity_id>/stage", methods=["POST"])
@login_required
def move_stage(opportunity_id: int) -> Response:
    """Move a deal to the stage chosen on the board (a lost one needs a reason)."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, OPPORTUNITIES_WRITE)
    try:
        deal = pipeline.get_opportunity(session, opportunity_id)
        records.check(session, user, deal, OPPORTUNITIES_WRITE)
        form = _form()
        stage = pipeline.find_stage(session, form.get("stage", ""))
        pipeline.change_stage(session, deal, stage, actor=user, lost_reason=form.get("lost_reason"))
        session.commit()
        flash(
            translate("%(deal)s moved to %(stage)s.", deal=deal.name, stage=translate(stage.name))
        )
    except CrmError as error:
        _refused(error)
    return redirect(url_for(".pipeline_board"))


@bp.route("/leads")
@login_required
def leads_page() -> str:
    """Leads still being worked, best scores first, with their next steps."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, LEADS_READ)
    rows = session.scalars(
        sa.select(Lead)
        .where(
            records.visible(session, user, Lead, LEADS_READ),
            Lead.status.in_([LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED]),
        )
        .order_by(Lead.score.desc(), Lead.id.desc())
        .limit(500)
    )
    return render_template("sales/leads.html", leads=list(rows))


@bp.route("/leads", methods=["POST"])
@login_required
def capture_lead() -> Response:
    """Capture a lead from the form."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, LEADS_WRITE)
    try:
        lead = leads.create_lead(session, _form(), actor=user)
        session.commit()
        flash(translate("Lead %(name)s captured.", name=lead.name))
    except CrmError as error:
        _refused(error)
    return redirect(url_for(".leads_page"))


@bp.route("/leads/<id:lead_id>/status", methods=["POST"])
@login_required
def lead_status(lead_id: int) -> Response:
    """Move a lead along the status flow (disqualifying needs a reason)."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, LEADS_WRITE)
    try:
        lead = leads.get_lead(session, lead_id)
        records.check(session, user, lead, LEADS_WRITE)
        form = _form()
        leads.set_status(
            session, lead, form.get("status", ""), reason=form.get("reason"), actor=user
        )
        session.commit()
    except CrmError as error:
        _refused(error)
    return redirect(url_for(".leads_page"))


@bp.route("/leads/<id:lead_id>/convert", methods=["POST"])
@login_required
def convert_lead(lead_id: int) -> Response:
    """Convert a qualified lead; on success go to the new customer."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, LEADS_WRITE)
    try:
        lead = leads.get_lead(session, lead_id)
        records.check(session, user, lead, LEADS_WRITE)
        customer, _deal = leads.convert(session, lead, _form(), actor=user)
        session.commit()
    except CrmError as error:
        _refused(error)
        return redirect(url_for(".leads_page"))
    flash(translate("Lead converted into customer %(code)s.", code=customer.code))
    return redirect(url_for("customer_pages.view", customer_id=customer.id))
