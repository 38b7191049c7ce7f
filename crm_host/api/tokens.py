"""API tokens of the signed-in user under ``/api/v1/tokens``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from crm_host.core.errors import NotFound
from crm_host.core.host import get_host
from crm_host.core.models import ApiToken
from crm_host.records import audit
from crm_host.security import tokens
from crm_host.security.permissions import can, signed_in

blp = Blueprint("tokens", __name__, description="API tokens (Authorization: Bearer)")


class TokenIn(ma.Schema):
    name = ma.fields.String(required=True, metadata={"example": "telephony bridge"})
    scopes = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
        load_default=lambda: ["*"],
        metadata={"description": "Permission patterns the token may use, e.g. host.customers.*"},
    )
    expires_in_days = ma.fields.Integer(
        load_default=90, validate=ma.validate.Range(min=1, max=366), allow_none=True
    )


class TokenOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    prefix = ma.fields.String()
    scopes = ma.fields.List(ma.fields.String())
    expires_at = ma.fields.DateTime(allow_none=True)
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class NewTokenOut(TokenOut):
    token = ma.fields.String(metadata={"description": "The secret, shown only once"})


def _own_token(token_id: int) -> ApiToken:
    session = get_host().session
    token = session.get(ApiToken, token_id)
    user = current_user.user
    if token is None or (token.user_id != user.id and not can(session, user, "host.tokens.manage")):
        raise NotFound(f"no token with id {token_id}")
    return token


@blp.route("")
class Tokens(MethodView):
    @signed_in
    @blp.response(200, TokenOut(many=True))
    def get(self) -> list[ApiToken]:
        """Your tokens."""
        return list(
            get_host().session.scalars(
                sa.select(ApiToken)
                .where(ApiToken.user_id == current_user.user.id)
                .order_by(ApiToken.id)
            )
        )

    @signed_in
    @blp.arguments(TokenIn)
    @blp.response(201, NewTokenOut)
    def post(self, data: dict[str, Any]) -> ApiToken:
        """Create a token for yourself; the secret is in this answer and nowhere else."""
        session = get_host().session
        token, secret = tokens.issue_token(
            session,
            current_user.user,
            name=data["name"],
            scopes=data["scopes"],
            expires_in_days=data["expires_in_days"],
        )
        session.commit()
        token.token = secret  # a plain attribute, not a column: never stored
        return token


@blp.route("/<id:token_id>")
class TokenResource(MethodView):
    @signed_in
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a token (yours, or anybody's with host.tokens.manage)."""
        session = get_host().session
        token = _own_token(token_id)
        tokens.revoke_token(session, token)
        audit.record(session, "revoke", "api_token", token.id)
        session.commit()
