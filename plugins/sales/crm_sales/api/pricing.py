"""``/price-lists`` with their prices, and a customer's own price list."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from crm_host.sdk import require
from crm_host.sdk.customers import customer_service as customers
from crm_sales import customer_prices, pricing
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales.api.common import blp, current_actor, current_session
from crm_sales.models import PriceList


@blp.route("/price-lists")
class PriceLists(MethodView):
    @require(p.PRODUCTS_READ)
    @blp.response(200, s.PriceListOut(many=True))
    def get(self) -> list[PriceList]:
        """Every price list with its prices, by code."""
        query = sa.select(PriceList).options(selectinload(PriceList.prices))
        return list(current_session().scalars(query.order_by(PriceList.code).limit(1000)))

    @require(p.PRODUCTS_WRITE)
    @blp.arguments(s.PriceListIn)
    @blp.response(201, s.PriceListOut)
    def post(self, data: dict[str, Any]) -> PriceList:
        """Add a price list; the first one, or one flagged ``is_default``, is the default."""
        session = current_session()
        price_list = pricing.create_price_list(session, data)
        session.commit()
        return price_list


@blp.route("/price-lists/<id:price_list_id>")
class PriceListResource(MethodView):
    @require(p.PRODUCTS_READ)
    @blp.response(200, s.PriceListOut)
    def get(self, price_list_id: int) -> PriceList:
        """One price list with its prices."""
        return pricing.get_price_list(current_session(), price_list_id)


@blp.route("/price-lists/<id:price_list_id>/prices")
class PriceListPrices(MethodView):
    @require(p.PRODUCTS_WRITE)
    @blp.arguments(s.PriceIn)
    @blp.response(200, s.PriceListOut)
    def post(self, data: dict[str, Any], price_list_id: int) -> PriceList:
        """Put a product on the list at a unit price, or change its price there."""
        session = current_session()
        price_list = pricing.get_price_list(session, price_list_id)
        pricing.set_price(session, price_list, data["product_id"], data["unit_price"])
        session.commit()
        session.refresh(price_list)
        return price_list


@blp.route("/customers/<id:customer_id>/price-list")
class CustomerPriceListResource(MethodView):
    @require(p.PRODUCTS_READ)
    @blp.response(200, s.CustomerPriceListOut)
    def get(self, customer_id: int) -> dict[str, Any]:
        """The customer's own price list (``null``: quotes use the default list)."""
        session = current_session()
        customer = customers.get_customer(session, customer_id)
        return {
            "customer_id": customer.id,
            "price_list": customer_prices.list_of(session, customer.id),
        }

    @require(p.PRODUCTS_WRITE)
    @blp.arguments(s.CustomerPriceListIn)
    @blp.response(200, s.CustomerPriceListOut)
    def put(self, data: dict[str, Any], customer_id: int) -> dict[str, Any]:
        """Give the customer a price list of their own, or take it away with ``null``."""
        session = current_session()
        customer = customers.get_customer(session, customer_id)
        price_list = customer_prices.assign(
            session, customer, data["price_list_id"], actor=current_actor()
        )
        session.commit()
        return {"customer_id": customer.id, "price_list": price_list}
