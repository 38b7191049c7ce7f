"""Console page of service guarantees: what is running, what was missed and the credit
owed, with a button to mark a guarantee met."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Customer, get_host
from crm_host.sdk.web import allowed, page
from crm_industry_power import guarantees
from crm_industry_power import permissions as p
from crm_industry_power.models import Guarantee, GuaranteeType
from crm_industry_power.views.blueprint import bp
from crm_industry_power.zones import company_timezone

UNIT_LABELS = {
    "minutes": _l("minutes"),
    "hours": _l("hours"),
    "days": _l("days"),
    "working_days": _l("working days"),
}


@bp.route("/guarantees")
@page(p.GUARANTEES_READ)
def guarantee_list() -> str:
    """Guarantees by due time (``?breached=1``: only those owing a credit) and the types."""
    session = get_host().session
    breached = request.args.get("breached") == "1"
    rows = guarantees.listing(session, breached=True if breached else None)
    types = {t.id: t for t in session.scalars(sa.select(GuaranteeType).order_by("code"))}
    customers = dict(
        session.execute(
            sa.select(Customer.id, Customer.name).where(
                Customer.id.in_({r.customer_id for r in rows})
            )
        ).all()
    )
    return render_template(
        "power/guarantees.html",
        rows=rows,
        types=types,
        customers=customers,
        breached=breached,
        tz=company_timezone(),
        units=UNIT_LABELS,
        can_mark=allowed(p.GUARANTEES_WRITE),
    )


@bp.route("/guarantees/<int:guarantee_id>/met", methods=["POST"])
@page(p.GUARANTEES_WRITE)
def guarantee_met(guarantee_id: int) -> Response:
    """Mark a guarantee met now."""
    session = get_host().session
    row = session.get(Guarantee, guarantee_id)
    if row is None:
        abort(404)
    try:
        guarantees.met(session, row, actor=current_user.user)
        session.commit()
    except CrmError as error:
        session.rollback()
        flash(_("Not marked met: %(problem)s", problem=error.message), "error")
    else:
        flash(_("Guarantee marked met."), "success")
    return redirect(url_for(".guarantee_list"))
