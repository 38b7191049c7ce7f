"""Optional single sign-on through an OpenID Connect provider (Authlib).

Set ``CRM_OIDC_ISSUER`` (the provider's issuer URL; its discovery document is read
from ``/.well-known/openid-configuration``), ``CRM_OIDC_CLIENT_ID`` and
``CRM_OIDC_CLIENT_SECRET``; the sign-in page then offers "Sign in with
``CRM_OIDC_LABEL``". The provider proves who someone is; crm-host still decides what
they may do: the claim named by ``CRM_OIDC_USERNAME_CLAIM`` (``preferred_username``
by default, then ``email``) must match an active user here. Nobody is created on
first sign-in unless ``CRM_OIDC_CREATE_USERS`` is set — and then without
departments, so they see nothing until an admin gives them some.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import requests
import sqlalchemy as sa
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from crm_host.core.db import utcnow
from crm_host.core.host import get_host
from crm_host.core.models import User
from crm_host.records import audit
from crm_host.security.auth import start_session


def _token_errors() -> tuple[type[Exception], ...]:
    # Authlib validates ID tokens with joserfc where it is installed, else with its own
    # (deprecated) JOSE module: catch what the one in use raises.
    try:
        from joserfc.errors import JoseError
    except ImportError:  # pragma: no cover - older Authlib
        from authlib.jose.errors import JoseError  # type: ignore[no-redef]
    return (JoseError,)


bp = Blueprint("sso", __name__, url_prefix="/login/sso")
#: What a forged, expired or misaddressed ID token raises.
TOKEN_ERRORS = _token_errors()
PROVIDER = "crm_sso"


def enabled(app: Flask | None = None) -> bool:
    """Whether single sign-on is configured for the application."""
    return bool((app or current_app).config.get("OIDC_ISSUER"))


def init_app(app: Flask, *, create_user: Callable[..., User]) -> None:
    """Register the provider and the sign-on routes when ``CRM_OIDC_ISSUER`` is set.

    ``create_user`` (:func:`crm_host.domain.directory.create_user`, handed in by the
    app: security sits below the domain) makes the user a first sign-on brings, when
    ``CRM_OIDC_CREATE_USERS`` allows it.
    """
    if not enabled(app):
        return
    issuer = str(app.config["OIDC_ISSUER"]).rstrip("/")
    for key in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
        if not app.config.get(key):
            raise ValueError(f"CRM_OIDC_ISSUER is set but CRM_{key} is not")
    oauth = OAuth(app)
    oauth.register(
        PROVIDER,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile"},
    )
    app.extensions["crm_oidc"] = oauth
    app.extensions["crm_oidc_create_user"] = create_user
    app.register_blueprint(bp)


def _client() -> Any:
    return current_app.extensions["crm_oidc"].create_client(PROVIDER)


@bp.route("")
def start() -> Response:
    """Send the browser to the provider; it comes back to :func:`callback`."""
    target = request.args.get("next", "")
    session["crm_sso_next"] = (
        target if target.startswith("/") and not target.startswith("//") else "/"
    )
    return _client().authorize_redirect(url_for("sso.callback", _external=True))


@bp.route("/callback")
def callback() -> Response:
    """Check the provider's answer (state, nonce, signed ID token) and sign the user in."""
    try:
        token = _client().authorize_access_token()
    except OAuthError as error:
        return _failed(error.description or error.error)
    except TOKEN_ERRORS as error:  # a forged, expired or misaddressed ID token
        return _failed(f"the ID token was refused ({type(error).__name__})")
    except requests.RequestException as error:
        return _failed(f"the provider did not answer ({type(error).__name__})")
    claims = token.get("userinfo") or {}
    user = _match_user(claims)
    if user is None:
        flash(_("Your single sign-on account has no user here; ask an administrator."), "error")
        return redirect(url_for("console.login"))
    db = get_host().session
    user.last_login_at = utcnow()
    audit.record(
        db,
        "login",
        "user",
        user.id,
        after={"method": "oidc", "subject": claims.get("sub")},
        actor=user,
    )
    db.commit()
    target = session.pop("crm_sso_next", "/")
    start_session(user)
    return redirect(target)


def _failed(reason: str) -> Response:
    flash(_("Single sign-on failed: %(reason)s", reason=reason), "error")
    return redirect(url_for("console.login"))


def _match_user(claims: dict[str, Any]) -> User | None:
    """The active user the provider's claims name, created when the company allows it."""
    db = get_host().session
    claim = current_app.config.get("OIDC_USERNAME_CLAIM", "preferred_username")
    username = claims.get(claim) or claims.get("email")
    if not username or not isinstance(username, str):
        return None
    user = db.scalar(sa.select(User).where(User.username == username[:150]))
    if user is None and claims.get("email") and claims.get("email_verified"):
        user = db.scalar(sa.select(User).where(User.email == claims["email"]))
    if user is None and current_app.config.get("OIDC_CREATE_USERS"):
        create_user = current_app.extensions["crm_oidc_create_user"]
        user = create_user(
            db,
            username=username[:150],
            name=str(claims.get("name") or username)[:200],
            # Signs in through the provider only: a password nobody knows.
            password=secrets.token_urlsafe(32),
            email=claims.get("email") if claims.get("email_verified") else None,
        )
        audit.record(
            db, "create", "user", user.id, after={"username": user.username, "via": "oidc"}
        )
    if user is None or not user.is_active:
        return None
    return user
