"""The API of points: a customer's balance, awards and redemptions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import NotFound, get_host, require
from crm_loyalty import points
from crm_loyalty.api.blueprint import blp
from crm_loyalty.models import Movement
from crm_loyalty.permissions import POINTS_READ, POINTS_WRITE
from crm_loyalty.schemas.points import AccountSchema, MovementSchema, NewMovementSchema


@blp.route("/accounts/<int:customer_id>")
class Account(MethodView):
    @require(POINTS_READ)
    @blp.response(200, AccountSchema)
    def get(self, customer_id: int) -> dict[str, Any]:
        """A customer's balance and movements, newest first."""
        session = get_host().session
        account = points.account_of(session, customer_id)
        if account is None:
            raise NotFound(f"customer {customer_id} has no loyalty account")
        return {
            "customer_id": customer_id,
            "balance": account.balance,
            "movements": points.movements(session, account),
        }


@blp.route("/accounts/<int:customer_id>/movements")
class Movements(MethodView):
    @require(POINTS_WRITE)
    @blp.arguments(NewMovementSchema)
    @blp.response(201, MovementSchema)
    def post(self, data: dict[str, Any], customer_id: int) -> Movement | None:
        """Award (positive ``points``) or redeem (negative) points; never below zero."""
        session = get_host().session
        movement = points.move(session, customer_id, data["points"], data["reason"])
        session.commit()
        return movement
