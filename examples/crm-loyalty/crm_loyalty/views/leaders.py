"""The console's leader board: the members holding the most points."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from crm_host.sdk import authorize, get_host
from crm_loyalty import points
from crm_loyalty.permissions import POINTS_READ
from crm_loyalty.views.blueprint import bp


@bp.route("/")
@login_required
def leaders() -> str:
    """The members holding the most points."""
    session = get_host().session
    authorize(session, current_user.user, POINTS_READ)
    return render_template("loyalty/leaders.html", rows=points.leaders(session))
