"""The loyalty console page, mounted by the host under ``/loyalty/`` behind the department gate."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from crm_host.sdk import authorize, get_host
from crm_loyalty import points
from crm_loyalty.permissions import POINTS_READ

bp = Blueprint("console", __name__, template_folder="templates")


@bp.route("/")
@login_required
def leaders() -> str:
    """The members holding the most points."""
    session = get_host().session
    authorize(session, current_user.user, POINTS_READ)
    return render_template("loyalty/leaders.html", rows=points.leaders(session))
