"""Products and orders: an order's amount is the sum of its lines, in one currency.

Orders are what the plugin contributes to the host's transactions (see
:func:`transaction_source`), so segments and RFM count them without knowing sales.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, NotFound, User, audit, timeline, utcnow
from crm_host.sdk import validation as check
from crm_sales import pricing
from crm_sales.models import Opportunity, Order, OrderLine, Product

MAX_QUANTITY = Decimal("999999999.999")


def get_order(session: Session, order_id: int) -> Order:
    """The order with this id, or :class:`NotFound`."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"no order with id {order_id}")
    return order


def create_product(session: Session, data: Mapping[str, Any]) -> Product:
    """Add a product; ``Conflict`` when its code is taken."""
    errors: check.Errors = {}
    code = check.text(data.get("code"), "code", errors, max_length=64, required=True)
    name = check.text(data.get("name"), "name", errors, max_length=200, required=True)
    price = check.money(data.get("unit_price", 0), "unit_price", errors)
    currency = check.currency(data.get("currency") or "CNY", "currency", errors)
    check.fail_if(errors, "the product is not valid")
    if session.scalar(sa.select(Product.id).where(Product.code == code)) is not None:
        raise Conflict(
            f"a product with code {code!r} exists already", details={"code": ["Already used."]}
        )
    product = Product(code=code, name=name, unit_price=price, currency=currency, active=True)
    session.add(product)
    session.flush()
    return product


def _line(
    session: Session, raw: Mapping[str, Any], n: int, currency: str, errors: check.Errors
) -> OrderLine | None:
    field = f"lines.{n}"
    product = None
    if raw.get("product_id") is not None:
        product = session.get(Product, raw["product_id"])
        if product is None:
            errors[f"{field}.product_id"] = [f"No product with id {raw['product_id']}."]
            return None
        # A product's own price is in its currency; a line pricing it explicitly (from a
        # price list in another currency, say) is in the order's.
        if product.currency != currency and raw.get("unit_price") is None:
            errors[f"{field}.product_id"] = [
                f"Priced in {product.currency}, the order is in {currency}."
            ]
    description = check.text(
        raw.get("description") or (product.name if product else None),
        f"{field}.description",
        errors,
        max_length=200,
        required=True,
    )
    quantity = check.decimal(
        raw.get("quantity", 1),
        f"{field}.quantity",
        errors,
        places=3,
        minimum=0,
        min_exclusive=True,
        maximum=MAX_QUANTITY,
        required=True,
    )
    if raw.get("unit_price") is not None:
        price = check.money(raw["unit_price"], f"{field}.unit_price", errors)
    elif product is not None:
        price = product.unit_price
    else:
        errors[f"{field}.unit_price"] = ["Required without a product."]
        return None
    discount = check.decimal(
        raw.get("discount_percent") or 0,
        f"{field}.discount_percent",
        errors,
        places=2,
        minimum=0,
        maximum=100,
    )
    if quantity is None or price is None or discount is None:
        return None
    # The same rounding as a quote's line, so an accepted quote's order has its totals.
    figures = pricing.line_figures(quantity, price, discount)
    amount = figures.net
    if figures.gross > check.MAX_AMOUNT:
        errors[f"{field}.quantity"] = ["The line's amount is too large."]
    return OrderLine(
        product_id=product.id if product else None,
        description=description or "",
        quantity=quantity,
        unit_price=price,
        discount_percent=discount,
        amount=amount,
    )


def create_order(session: Session, data: Mapping[str, Any], *, actor: User | None = None) -> Order:
    """Record an order with its lines; its amount is the sum of the lines.

    A line names a ``product_id`` (price and description default to the product's)
    or gives ``description`` and ``unit_price``, and may take a ``discount_percent``.
    Recorded on the customer's timeline.
    """
    errors: check.Errors = {}
    customer_id = check.customer_ref(session, data.get("customer_id"), "customer_id", errors)
    currency = check.currency(data.get("currency") or "CNY", "currency", errors)
    opportunity_id = data.get("opportunity_id")
    if opportunity_id is not None:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None:
            errors["opportunity_id"] = [f"No opportunity with id {opportunity_id}."]
        elif opportunity.customer_id != customer_id:
            errors["opportunity_id"] = ["The opportunity is another customer's."]
    raw_lines = data.get("lines") or []
    if not raw_lines:
        errors["lines"] = ["An order has at least one line."]
    elif len(raw_lines) > 500:
        errors["lines"] = ["At most 500 lines."]
    lines = [_line(session, raw, n, currency, errors) for n, raw in enumerate(raw_lines[:500])]
    number = check.text(data.get("number"), "number", errors, max_length=32)
    check.fail_if(errors, "the order is not valid")
    if number and session.scalar(sa.select(Order.id).where(Order.number == number)):
        raise Conflict(
            f"an order numbered {number!r} exists already", details={"number": ["Already used."]}
        )
    total = sum((line.amount for line in lines if line is not None), Decimal("0"))
    if total > check.MAX_AMOUNT:
        check.fail_if({"lines": ["The order's total is too large."]}, "the order is not valid")
    order = Order(
        # A placeholder unique until the id is known: SO + the id, zero-padded.
        number=number or uuid.uuid4().hex,
        customer_id=customer_id,
        opportunity_id=opportunity_id,
        ordered_at=data.get("ordered_at") or utcnow(),
        currency=currency,
        amount=total,
        created_by_id=actor.id if actor else None,
        lines=[line for line in lines if line is not None],
    )
    session.add(order)
    session.flush()
    if not number:
        order.number = f"SO{order.id:08d}"
        session.flush()
    audit.record(
        session,
        "create",
        "sales_order",
        order.id,
        after={"number": order.number, "amount": order.amount, "currency": order.currency},
        actor=actor,
        plugin="sales",
    )
    timeline.add_entry(
        session,
        customer_id=order.customer_id,
        channel="order",
        subject=f"Order {order.number}: {order.amount} {order.currency}",
        source_plugin="sales",
        occurred_at=order.ordered_at,
        author=actor,
        about=("sales.order", order.id),
    )
    return order


def transaction_source() -> sa.Select[Any]:
    """Orders as host transactions: the six labelled columns analytics union."""
    return sa.select(
        Order.customer_id.label("customer_id"),
        Order.ordered_at.label("occurred_at"),
        Order.amount.label("amount"),
        Order.currency.label("currency"),
        sa.literal("sales.order").label("source"),
        Order.number.label("ref"),
    )
