"""Admin pages for API tokens: everybody's tokens, creating one for yourself, revoking."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from crm_host.api.tokens import TokenIn
from crm_host.console._access import page
from crm_host.console.admin import bp
from crm_host.console.admin.common import Errors, attempt, load, posted, status_code
from crm_host.console.forms import split_list
from crm_host.core.errors import NotFound
from crm_host.core.host import get_host
from crm_host.core.models import ApiToken
from crm_host.records import audit
from crm_host.security import tokens

#: What the token form proposes: the API's default lifetime.
TOKEN_DAYS = str(TokenIn().fields["expires_in_days"].load_default)


@bp.route("/tokens", methods=["GET", "POST"])
@page("host.tokens.manage")
def api_tokens() -> tuple[str, int, dict[str, str]] | Response:
    """Everybody's API tokens; create one for yourself (its secret is shown once)."""
    session = get_host().session
    values: dict[str, str] = {"expires_in_days": TOKEN_DAYS}
    errors: Errors = {}
    secret = None
    if request.method == "POST":
        values = posted("name", "scopes", "expires_in_days")
        payload: dict[str, Any] = {"name": values["name"]}
        if values["scopes"]:
            payload["scopes"] = split_list(values["scopes"])
        payload["expires_in_days"] = values["expires_in_days"] or None  # blank: never expires

        def create() -> tuple[ApiToken, str]:
            data = load(TokenIn(), payload)
            return tokens.issue_token(
                session,
                current_user.user,
                name=data["name"],
                scopes=data["scopes"],
                expires_in_days=data["expires_in_days"],
            )

        created, errors = attempt(create)
        if "expires_in" in errors:
            errors.setdefault("expires_in_days", []).extend(errors.pop("expires_in"))
        if created is not None:
            secret = created[1]
            values = {"expires_in_days": TOKEN_DAYS}
    page_ = render_template(
        "crm/admin/tokens.html",
        tokens=list(
            session.scalars(
                sa.select(ApiToken)
                .options(selectinload(ApiToken.user))
                # Live tokens first, newest first: the ones an admin acts on.
                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
            )
        ),
        secret=secret,
        values=values,
        errors=errors,
    )
    # The secret is in this page only: keep it out of every cache.
    return page_, status_code(errors), {"Cache-Control": "no-store"}


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@page("host.tokens.manage")
def revoke_token(token_id: int) -> Response:
    """Revoke a token; it stops working at once."""
    session = get_host().session
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token with id {token_id}")
    tokens.revoke_token(session, token)
    audit.record(session, "revoke", "api_token", token.id)
    session.commit()
    flash(_("Token %(name)s revoked.", name=token.name), "success")
    return redirect(url_for("admin.api_tokens"))
