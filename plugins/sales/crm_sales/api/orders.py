"""``/products`` and ``/orders``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from crm_host.sdk import require
from crm_host.sdk.web import newest_first, where_equal
from crm_sales import orders
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales.api.common import blp, current_actor, current_session
from crm_sales.models import Order, Product


@blp.route("/products")
class Products(MethodView):
    @require(p.PRODUCTS_READ)
    @blp.response(200, s.ProductOut(many=True))
    def get(self) -> list[Product]:
        """Every product, by code."""
        return list(
            current_session().scalars(sa.select(Product).order_by(Product.code).limit(1000))
        )

    @require(p.PRODUCTS_WRITE)
    @blp.arguments(s.ProductIn)
    @blp.response(201, s.ProductOut)
    def post(self, data: dict[str, Any]) -> Product:
        """Add a product with its list price."""
        session = current_session()
        product = orders.create_product(session, data)
        session.commit()
        return product


@blp.route("/orders")
class Orders(MethodView):
    @require(p.ORDERS_READ)
    @blp.arguments(s.OrderQuery, location="query")
    @blp.response(200, s.OrderPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List orders, newest first; filter by customer."""
        query = sa.select(Order).options(selectinload(Order.lines))
        query = where_equal(query, Order, args, ("customer_id",))
        return newest_first(current_session(), query, Order, args)

    @require(p.ORDERS_WRITE)
    @blp.arguments(s.OrderIn)
    @blp.response(201, s.OrderOut)
    def post(self, data: dict[str, Any]) -> Order:
        """Record an order; its amount is the sum of its lines."""
        session = current_session()
        order = orders.create_order(session, data, actor=current_actor())
        session.commit()
        return order


@blp.route("/orders/<id:order_id>")
class OrderResource(MethodView):
    @require(p.ORDERS_READ)
    @blp.response(200, s.OrderOut)
    def get(self, order_id: int) -> Order:
        """One order with its lines."""
        return orders.get_order(current_session(), order_id)
