"""The console shell: sign-in, navigation built from plugins' menus, the dashboard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from crm_host.auth import LoginUser, authenticate
from crm_host.db import utcnow
from crm_host.host import get_host
from crm_host.web.gate import enabled_plugins, user_departments
from crm_host.web.scoped import kpis_for, menu_for

bp = Blueprint("console", __name__, template_folder="../templates")


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=150)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an absolute or scheme-relative URL would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("console.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in to the console."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is None:
            form.password.errors = ["Unknown username or wrong password."]
        else:
            user.last_login_at = utcnow()
            get_host().session.commit()
            login_user(LoginUser(user))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("crm/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out of the console."""
    logout_user()
    flash("You have signed out.")
    return redirect(url_for("console.login"))


@bp.route("/")
@login_required
def dashboard() -> str:
    """The dashboard: KPIs of the plugins the user's departments have."""
    host = get_host()
    return render_template(
        "crm/dashboard.html",
        kpis=kpis_for(current_user.user),
        departments=user_departments(current_user.user),
        plugins=[host.plugins.manifest(n) for n in sorted(enabled_plugins(current_user.user))],
    )


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    if current_user and current_user.is_authenticated:
        return {"menu": menu_for(current_user.user)}
    return {"menu": []}
