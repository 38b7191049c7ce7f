"""Signing in and out of the API with a session cookie."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user, logout_user
from flask_smorest import Blueprint, abort

from crm_host.core.db import utcnow
from crm_host.core.host import get_host
from crm_host.security.auth import authenticate, end_sessions, start_session
from crm_host.security.permissions import public, signed_in
from crm_host.web.gate import enabled_plugins, user_departments

blp = Blueprint("auth", __name__, description="Sign in and out")


class LoginSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=150))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024))


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    name = ma.fields.String()
    is_admin = ma.fields.Boolean()
    departments = ma.fields.List(ma.fields.String())
    plugins = ma.fields.List(ma.fields.String())


def _me() -> dict[str, Any]:
    user = current_user.user
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "is_admin": user.is_admin,
        "departments": [d.name for d in user_departments(user)],
        "plugins": sorted(enabled_plugins(user)),
    }


@blp.route("/login")
class Login(MethodView):
    @public
    @blp.arguments(LoginSchema)
    @blp.response(200, MeSchema)
    def post(self, credentials: dict[str, str]) -> dict[str, Any]:
        """Sign in with a username and password; the answer sets a session cookie."""
        user = authenticate(credentials["username"], credentials["password"])
        if user is None:
            abort(401, message="Unknown username or wrong password.")
        user.last_login_at = utcnow()
        get_host().session.commit()
        start_session(user)
        return _me()


@blp.route("/logout")
class Logout(MethodView):
    @public
    @blp.response(204)
    def post(self) -> None:
        """Sign out: every session of the user ends, on this device and any other."""
        if current_user.is_authenticated:
            end_sessions(current_user.user)
            get_host().session.commit()
        logout_user()


@blp.route("/me")
class Me(MethodView):
    @signed_in
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """Who is signed in, their departments and the plugins they can use."""
        return _me()
