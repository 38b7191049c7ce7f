"""``/rules`` and ``/customers/<id>/recommendations``: cross-sell from the orders."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from sqlalchemy.orm import Session

from crm_host.sdk import require
from crm_host.sdk.customers import customer_service as customers
from crm_sales import crosssell
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales.api.common import blp, current_session
from crm_sales.models import Product


def _codes(session: Session) -> dict[int, Product]:
    return {p.id: p for p in session.scalars(sa.select(Product))}


@blp.route("/rules")
class Rules(MethodView):
    @require(p.ORDERS_READ)
    @blp.arguments(s.RulesQuery, location="query")
    @blp.response(200, s.RuleOut(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Association rules mined from the products of every order, strongest first."""
        session = current_session()
        products = _codes(session)
        mined = crosssell.mine(session, args["min_support"], args["min_confidence"])
        return [
            {
                "antecedent": sorted(products[i].code for i in rule.antecedent),
                "consequent": sorted(products[i].code for i in rule.consequent),
                "support": rule.support,
                "confidence": rule.confidence,
                "lift": rule.lift,
            }
            for rule in mined[: args["limit"]]
        ]


@blp.route("/customers/<id:customer_id>/recommendations")
class Recommendations(MethodView):
    @require(p.ORDERS_READ)
    @blp.response(200, s.RecommendationOut(many=True))
    def get(self, customer_id: int) -> list[dict[str, Any]]:
        """Products the customer has not bought that customers buying the same bought too."""
        session = current_session()
        customers.get_customer(session, customer_id)
        return crosssell.recommendations_for(session, customer_id)
