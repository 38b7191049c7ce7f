"""Console page of return visits: the ones due, each with its form."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Customer, authorize, get_host, utcnow
from crm_host.sdk.web import page
from crm_service import tickets, visits
from crm_service.labels import OUTCOME_LABELS
from crm_service.models import VISIT_OUTCOMES, ReturnVisit, Ticket
from crm_service.permissions import READ, WRITE
from crm_service.views.blueprint import bp


@bp.route("/return-visits")
@page(READ)
def return_visits() -> str:
    """Return visits due now (or all pending ones), soonest first, each with its form."""
    session = get_host().session
    everything = request.args.get("all") == "1"
    rows = visits.pending(session, now=None if everything else utcnow())
    found = {
        t.id: t
        for t in session.scalars(
            sa.select(Ticket).where(Ticket.id.in_([v.ticket_id for v in rows]))
        )
    }
    customers = {
        c.id: c
        for c in session.scalars(
            sa.select(Customer).where(Customer.id.in_([t.customer_id for t in found.values()]))
        )
    }
    return render_template(
        "service/return_visits.html",
        rows=[(v, found[v.ticket_id], customers[found[v.ticket_id].customer_id]) for v in rows],
        everything=everything,
        outcomes=OUTCOME_LABELS,
        order=VISIT_OUTCOMES,
    )


@bp.route("/return-visits/<id:visit_id>", methods=["POST"])
@page(WRITE)
def record_visit(visit_id: int) -> Response:
    """Record a return visit's outcome from the list."""
    session = get_host().session
    visit: ReturnVisit = visits.get_visit(session, visit_id)
    row = tickets.get_ticket(session, visit.ticket_id)
    authorize(
        session,
        current_user.user,
        WRITE,
        owner_id=row.assignee_id,
        department_ids=[row.department_id] if row.department_id else [],
        check_record=True,
    )
    try:
        visits.record(
            session,
            visit,
            outcome=request.form.get("outcome", ""),
            note=request.form.get("note"),
            actor=current_user.user,
        )
        session.commit()
        flash(str(_l("The return visit has been recorded.")))
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".return_visits"))
