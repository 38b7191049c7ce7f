"""Admin pages for users: accounts, active and admin flags, passwords, memberships."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from crm_host.api.directory import UserIn, UserPatch
from crm_host.console._access import page
from crm_host.console.admin import bp
from crm_host.console.admin.common import (
    Errors,
    attempt,
    load,
    membership_choices,
    posted,
    status_code,
)
from crm_host.core.errors import NotFound
from crm_host.core.host import get_host
from crm_host.core.models import Membership, User
from crm_host.domain import directory as people


def _membership_errors(errors: Errors) -> Errors:
    """Errors of ``memberships.0.department`` shown next to the form's one membership."""
    return {
        key.rsplit(".", 1)[-1] if key.startswith("memberships.0.") else key: messages
        for key, messages in errors.items()
    }


@bp.route("/users", methods=["GET", "POST"])
@page("host.users.manage")
def users() -> tuple[str, int] | Response:
    """Every user with their memberships, and a form to add one."""
    session = get_host().session
    values: dict[str, Any] = {}
    errors: Errors = {}
    if request.method == "POST":
        values = posted("username", "password", "name", "email", "department", "role")
        values["is_admin"] = "is_admin" in request.form
        payload: dict[str, Any] = {
            "username": values["username"],
            "password": values["password"],
            "name": values["name"],
            "email": values["email"] or None,
            "is_admin": values["is_admin"],
            "memberships": (
                [{"department": values["department"], "role": values["role"] or None}]
                if values["department"]
                else []
            ),
        }
        user, errors = attempt(lambda: people.add_user(session, load(UserIn(), payload)))
        errors = _membership_errors(errors)
        if user is not None:
            flash(_("User %(username)s created.", username=user.username), "success")
            return redirect(url_for("admin.user", user_id=user.id))
        values["password"] = ""  # never echoed back into the page
    return render_template(
        "crm/admin/users.html",
        users=list(
            session.scalars(
                sa.select(User)
                .options(
                    selectinload(User.memberships).selectinload(Membership.department),
                    selectinload(User.memberships).selectinload(Membership.role),
                )
                .order_by(User.username)
            )
        ),
        **membership_choices(),
        values=values,
        errors=errors,
    ), status_code(errors)


def _user(user_id: int) -> User:
    user = get_host().session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def _memberships(user: User) -> list[dict[str, Any]]:
    return [
        {"department": m.department.code, "role": m.role.name if m.role else None}
        for m in user.memberships
    ]


def _render_user(
    user: User, errors: Errors | None = None, values: dict[str, Any] | None = None
) -> tuple[str, int]:
    errors = errors or {}
    if values is None:
        values = {
            "name": user.name,
            "email": user.email or "",
            "is_active": user.is_active,
            "is_admin": user.is_admin,
        }
    return render_template(
        "crm/admin/user.html",
        user=user,
        **membership_choices(),
        values=values,
        errors=errors,
    ), status_code(errors)


def _update(user: User, payload: dict[str, Any]) -> tuple[None, Errors]:
    session = get_host().session
    return attempt(lambda: people.update_user(session, user, load(UserPatch(), payload)))


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@page("host.users.manage")
def user(user_id: int) -> tuple[str, int] | Response:
    """One user: profile, active and admin flags, password, memberships."""
    user = _user(user_id)
    if request.method == "GET":
        return _render_user(user)
    values: dict[str, Any] = posted("name", "email")
    values["is_active"] = "is_active" in request.form
    values["is_admin"] = "is_admin" in request.form
    _done, errors = _update(user, {**values, "email": values["email"] or None})
    if errors:
        return _render_user(user, errors, values)
    flash(_("User %(username)s saved.", username=user.username), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@page("host.users.manage")
def user_password(user_id: int) -> tuple[str, int] | Response:
    """Set a user's password."""
    user = _user(user_id)
    _done, errors = _update(user, {"password": request.form.get("password", "")})
    if errors:
        return _render_user(user, errors)
    flash(_("Password of %(username)s changed.", username=user.username), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<id:user_id>/memberships", methods=["POST"])
@page("host.users.manage")
def user_membership(user_id: int) -> tuple[str, int] | Response:
    """Add a membership (department and role), change its role, or remove it."""
    user = _user(user_id)
    ref = request.form.get("department", "").strip()
    if not ref:
        return _render_user(user, {"department": [_("Choose a department.")]})
    try:
        department = people.get_department(get_host().session, ref)
    except NotFound as error:
        return _render_user(user, {"department": [error.message]})
    # Every other membership stays as it is; this department's is replaced or dropped.
    memberships = [m for m in _memberships(user) if m["department"] != department.code]
    if request.form.get("action") != "remove":
        role = request.form.get("role", "").strip() or None
        memberships.append({"department": department.code, "role": role})
    _done, errors = _update(user, {"memberships": memberships})
    if errors:
        # Whatever was refused, it concerns the one department of this form.
        return _render_user(user, {"department": [m for ms in errors.values() for m in ms]})
    flash(_("Memberships of %(username)s saved.", username=user.username), "success")
    return redirect(url_for("admin.user", user_id=user.id))
