"""The console shell: sign-in, navigation, the dashboard, global search and language."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from crm_host.console import _charts as charts
from crm_host.console import search_page
from crm_host.console._access import allowed, page
from crm_host.core.db import utcnow
from crm_host.core.host import get_host
from crm_host.i18n import LOCALES
from crm_host.security import oidc
from crm_host.security.auth import authenticate, end_sessions, start_session
from crm_host.web._menu import MenuItem
from crm_host.web._scoped import kpis_for, menu_for
from crm_host.web.gate import enabled_plugins, user_departments

bp = Blueprint("console", __name__, template_folder="../templates")

#: The host's own navigation, each entry shown to users holding its permission.
HOST_MENU = (
    MenuItem(label=_l("Dashboard"), endpoint="console.dashboard", order=0),
    MenuItem(
        label=_l("Customers"),
        endpoint="customer_pages.index",
        order=10,
        permission="host.customers.read",
    ),
)
ADMIN_PERMISSIONS = (
    "host.plugins.manage",
    "host.users.manage",
    "host.tokens.manage",
    "host.custom_fields.manage",
    "host.audit.manage",
    "host.jobs.manage",
)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=150)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an absolute or scheme-relative URL would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("console.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@page(public=True)
def login() -> str | Response:
    """Sign in to the console."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is None:
            form.password.errors = [_("Unknown username or wrong password.")]
        else:
            user.last_login_at = utcnow()
            get_host().session.commit()
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
    sso_label = None
    if oidc.enabled():
        sso_label = current_app.config.get("OIDC_LABEL") or _("single sign-on")
    return render_template("crm/login.html", form=form, sso_label=sso_label)


@bp.route("/logout", methods=["POST"])
@page(public=True)
def logout() -> Response:
    """Sign out of the console: every session of the user ends, here and elsewhere."""
    if current_user.is_authenticated:
        end_sessions(current_user.user)
        get_host().session.commit()
    logout_user()
    flash(_("You have signed out."))
    return redirect(url_for("console.login"))


@bp.route("/")
@page()
def dashboard() -> str:
    """The dashboard: KPIs of the plugins the user's departments have, and the host's charts."""
    host = get_host()
    user = current_user.user
    return render_template(
        "crm/dashboard.html",
        kpis=kpis_for(user),
        departments=user_departments(user),
        plugins=[host.plugins.manifest(n) for n in sorted(enabled_plugins(user))],
        charts=charts.dashboard_charts() if allowed("host.customers.read") else [],
    )


@bp.route("/search")
@page()
def search() -> tuple[str, int] | str:
    """The header's search box: matches of every type the user may read, by type."""
    return search_page.render(request.args.get("q", ""))


@bp.route("/language", methods=["POST"])
@page(public=True)
def language() -> Response:
    """Switch the console's language; kept on the user when signed in."""
    locale = request.form.get("locale", "")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.user.locale = locale
            get_host().session.commit()
    return redirect(_safe_next(request.form.get("next")))


def navigation() -> list[MenuItem]:
    """The signed-in user's menu: the host's entries they may use, then their plugins'."""
    items = [m for m in HOST_MENU if m.permission is None or allowed(m.permission)]
    items.extend(
        m for m in menu_for(current_user.user) if not m.permission or allowed(m.permission)
    )
    if any(allowed(p) for p in ADMIN_PERMISSIONS):
        items.append(MenuItem(label=_l("Admin"), endpoint="admin.index", order=1000))
    return sorted(items, key=lambda item: item.order)


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    if current_user and current_user.is_authenticated:
        return {"menu": navigation(), "allowed": allowed}
    return {"menu": [], "allowed": allowed}
