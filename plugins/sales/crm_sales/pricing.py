"""Price lists: a product's unit price in one currency over a validity window.

One list is the default; a quote prices its lines from the list chosen for it, else
from the customer's own list (:mod:`crm_sales.customer_prices`), else from the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, NotFound, ValidationFailed
from crm_host.sdk import validation as check
from crm_sales import customer_prices
from crm_sales.models import PriceList, PriceListItem, Product

HUNDRED = Decimal("100")


class LineFigures(NamedTuple):
    """A line's amounts: before the discount, the discount, and what is charged."""

    gross: Decimal
    discount: Decimal
    net: Decimal


def line_figures(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> LineFigures:
    """Quantity × price rounded to the cent, less the discount rounded half up to the cent."""
    gross = (quantity * unit_price).quantize(check.CENT, rounding=ROUND_HALF_UP)
    discount = (gross * discount_percent / HUNDRED).quantize(check.CENT, rounding=ROUND_HALF_UP)
    return LineFigures(gross, discount, gross - discount)


def get_price_list(session: Session, price_list_id: int) -> PriceList:
    """The price list with this id, or :class:`NotFound`."""
    price_list = session.get(PriceList, price_list_id)
    if price_list is None:
        raise NotFound(f"no price list with id {price_list_id}")
    return price_list


def default_price_list(session: Session) -> PriceList | None:
    """The list used when a quote names none."""
    return session.scalar(sa.select(PriceList).where(PriceList.is_default.is_(True)))


def create_price_list(session: Session, data: Mapping[str, Any]) -> PriceList:
    """Add a price list; making it the default takes the flag from the previous default."""
    errors: check.Errors = {}
    code = check.text(data.get("code"), "code", errors, max_length=32, required=True)
    name = check.text(data.get("name"), "name", errors, max_length=100, required=True)
    currency = check.currency(data.get("currency") or "CNY", "currency", errors)
    valid_from = check.date(data.get("valid_from"), "valid_from", errors)
    valid_to = check.date(data.get("valid_to"), "valid_to", errors)
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = ["Before valid_from."]
    check.fail_if(errors, "the price list is not valid")
    if session.scalar(sa.select(PriceList.id).where(PriceList.code == code)) is not None:
        raise Conflict(
            f"a price list with code {code!r} exists already", details={"code": ["Already used."]}
        )
    is_default = bool(data.get("is_default")) or default_price_list(session) is None
    if is_default:
        session.execute(sa.update(PriceList).values(is_default=False))
    price_list = PriceList(
        code=code,
        name=name,
        currency=currency,
        valid_from=valid_from,
        valid_to=valid_to,
        is_default=is_default,
    )
    session.add(price_list)
    session.flush()
    return price_list


def set_price(
    session: Session, price_list: PriceList, product_id: Any, unit_price: Any
) -> PriceListItem:
    """Put a product on the list at this unit price, or change the price it has there."""
    errors: check.Errors = {}
    product = session.get(Product, product_id) if product_id is not None else None
    if product is None:
        errors["product_id"] = [f"No product with id {product_id}."]
    price = check.money(unit_price, "unit_price", errors)
    check.fail_if(errors, "the price is not valid")
    item = session.scalar(
        sa.select(PriceListItem).where(
            PriceListItem.price_list_id == price_list.id, PriceListItem.product_id == product_id
        )
    )
    if item is None:
        item = PriceListItem(price_list_id=price_list.id, product_id=product_id, unit_price=price)
        session.add(item)
    else:
        item.unit_price = price
    session.flush()
    return item


def usable_on(price_list: PriceList, day: date) -> bool:
    """Whether the list's validity window holds ``day``."""
    return (price_list.valid_from is None or price_list.valid_from <= day) and (
        price_list.valid_to is None or day <= price_list.valid_to
    )


def choose(
    session: Session, price_list_id: Any, day: date, *, customer_id: int | None = None
) -> PriceList:
    """The list a quote made on ``day`` is priced from: the one named; else the
    customer's own list while it is valid on ``day``; else the default."""
    if price_list_id is None and customer_id is not None:
        own = customer_prices.list_of(session, customer_id)
        if own is not None and usable_on(own, day):
            return own
    if price_list_id is not None:
        price_list = session.get(PriceList, price_list_id)
        if price_list is None:
            raise ValidationFailed(
                "the quote is not valid",
                details={"price_list_id": [f"No price list with id {price_list_id}."]},
            )
    else:
        price_list = default_price_list(session)
        if price_list is None:
            raise ValidationFailed(
                "the quote is not valid",
                details={"price_list_id": ["Required: there is no default price list."]},
            )
    if not usable_on(price_list, day):
        raise ValidationFailed(
            "the quote is not valid",
            details={
                "price_list_id": [
                    f"Price list {price_list.code} is valid from {price_list.valid_from or '-'} "
                    f"to {price_list.valid_to or '-'}, not on {day}."
                ]
            },
        )
    return price_list


def prices(session: Session, price_list: PriceList) -> dict[int, Decimal]:
    """Unit price by product id on this list."""
    rows = session.execute(
        sa.select(PriceListItem.product_id, PriceListItem.unit_price).where(
            PriceListItem.price_list_id == price_list.id
        )
    )
    return {product_id: unit_price for product_id, unit_price in rows}
