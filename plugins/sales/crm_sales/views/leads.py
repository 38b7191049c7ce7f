"""The leads page: capture, move along the status flow, convert."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, get_host
from crm_host.sdk.web import check_form_version, page
from crm_sales import assignment, leads, records
from crm_sales.models import Lead, LeadStatus
from crm_sales.permissions import LEADS_READ, LEADS_WRITE
from crm_sales.views.common import bp, form_fields, refuse


@bp.route("/leads")
@page(LEADS_READ)
def leads_page() -> str:
    """Leads still being worked, best scores first, with their next steps."""
    session = get_host().session
    user = current_user.user
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
@page(LEADS_WRITE)
def capture_lead() -> Response:
    """Capture a lead from the form."""
    session = get_host().session
    user = current_user.user
    try:
        lead = leads.create_lead(session, form_fields(), actor=user)
        session.commit()
        flash(gettext("Lead %(name)s captured.", name=lead.name))
        if lead.unassigned_reason == assignment.FULL:
            flash(gettext("Nobody was given the lead: every seller is at capacity."), "error")
    except CrmError as error:
        refuse(error)
    return redirect(url_for(".leads_page"))


@bp.route("/leads/<id:lead_id>/status", methods=["POST"])
@page(LEADS_WRITE)
def lead_status(lead_id: int) -> Response:
    """Move a lead along the status flow (disqualifying needs a reason)."""
    session = get_host().session
    user = current_user.user
    try:
        lead = leads.get_lead(session, lead_id)
        records.check(session, user, lead, LEADS_WRITE)
        check_form_version(lead, request.form)
        form = form_fields()
        leads.set_status(
            session, lead, form.get("status", ""), reason=form.get("reason"), actor=user
        )
        session.commit()
    except CrmError as error:
        refuse(error)
    return redirect(url_for(".leads_page"))


@bp.route("/leads/<id:lead_id>/convert", methods=["POST"])
@page(LEADS_WRITE)
def convert_lead(lead_id: int) -> Response:
    """Convert a qualified lead; on success go to the new customer."""
    session = get_host().session
    user = current_user.user
    try:
        lead = leads.get_lead(session, lead_id)
        records.check(session, user, lead, LEADS_WRITE)
        check_form_version(lead, request.form)
        customer, _deal = leads.convert(session, lead, form_fields(), actor=user)
        session.commit()
    except CrmError as error:
        refuse(error)
        return redirect(url_for(".leads_page"))
    flash(gettext("Lead converted into customer %(code)s.", code=customer.code))
    return redirect(url_for("customer_pages.view", customer_id=customer.id))
