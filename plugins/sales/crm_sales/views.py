"""The sales console pages, mounted by the host under ``/sales/`` behind the department gate."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from crm_host.host import get_host
from crm_host.permissions import authorize, record_filter
from crm_sales import forecast
from crm_sales.i18n import translate
from crm_sales.models import Opportunity, OpportunityStatus
from crm_sales.permissions import OPPORTUNITIES_READ

bp = Blueprint("console", __name__, template_folder="templates")


@bp.context_processor
def _fallback_gettext() -> dict[str, Any]:
    # The host installs Flask-Babel's ``_`` in Jinja; an application built without it
    # still renders these pages, in English.
    if "babel" in current_app.extensions:
        return {}
    return {"_": translate}


@bp.route("/")
@login_required
def pipeline() -> str:
    """The pipeline board: open opportunities by stage, with value and weighted value."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, OPPORTUNITIES_READ)
    visible = record_filter(
        session,
        user,
        OPPORTUNITIES_READ,
        owner_column=Opportunity.owner_id,
        department_ids_of=lambda ids: Opportunity.department_id.in_(ids),
    )
    board = forecast.pipeline_summary(session, visible)
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
        board=board,
        by_stage=by_stage,
        forecast=forecast.forecast(session, visible),
    )
