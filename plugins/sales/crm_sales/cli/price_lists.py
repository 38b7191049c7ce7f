"""``crm sales price-lists …``: price lists, their prices and the customers' own lists."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.sdk import CrmError, Customer, fail, get_host
from crm_sales import customer_prices, pricing
from crm_sales.models import PriceList, Product


@click.group("price-lists", cls=AppGroup)
def price_lists_group() -> None:
    """Price lists."""


@price_lists_group.command("list")
def list_price_lists() -> None:
    """Every list: code, currency, validity, default, and how many products it prices."""
    session = get_host().session
    for price_list in session.scalars(sa.select(PriceList).order_by(PriceList.code)):
        window = f"{price_list.valid_from or '-'}..{price_list.valid_to or '-'}"
        flag = "default" if price_list.is_default else "-"
        click.echo(
            f"{price_list.code}\t{price_list.currency}\t{window}\t{flag}\t"
            f"{len(price_list.prices)}\t{price_list.name}"
        )


@price_lists_group.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--currency", default="CNY", show_default=True)
@click.option("--valid-from", help="First day the list applies (YYYY-MM-DD).")
@click.option("--valid-to", help="Last day the list applies (YYYY-MM-DD).")
@click.option("--default", "is_default", is_flag=True, help="Make it the default list.")
def add_price_list(
    code: str,
    name: str,
    currency: str,
    valid_from: str | None,
    valid_to: str | None,
    is_default: bool,
) -> None:
    """Add a price list."""
    session = get_host().session
    data = {
        "code": code,
        "name": name,
        "currency": currency,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "is_default": is_default,
    }
    try:
        price_list = pricing.create_price_list(session, data)
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from error
    click.echo(f"price list {price_list.code} added (id {price_list.id})")


@price_lists_group.command("price")
@click.argument("list_code")
@click.argument("product_code")
@click.argument("unit_price")
def set_price(list_code: str, product_code: str, unit_price: str) -> None:
    """Price PRODUCT_CODE at UNIT_PRICE on the list LIST_CODE."""
    session = get_host().session
    price_list = session.scalar(sa.select(PriceList).where(PriceList.code == list_code))
    product = session.scalar(sa.select(Product).where(Product.code == product_code))
    if price_list is None:
        raise click.ClickException(f"no price list with code {list_code!r}")
    if product is None:
        raise click.ClickException(f"no product with code {product_code!r}")
    try:
        pricing.set_price(session, price_list, product.id, unit_price)
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from error
    click.echo(f"{product.code} costs {unit_price} {price_list.currency} on {price_list.code}")


@price_lists_group.command("assign")
@click.argument("customer_code")
@click.argument("list_code", required=False)
@click.option("--clear", is_flag=True, help="Take the customer's own list away.")
def assign_price_list(customer_code: str, list_code: str | None, clear: bool) -> None:
    """Price CUSTOMER_CODE's quotes from LIST_CODE (or, with --clear, the default)."""
    if bool(list_code) == clear:
        raise click.UsageError("name a LIST_CODE, or pass --clear")
    session = get_host().session
    customer = session.scalar(sa.select(Customer).where(Customer.code == customer_code))
    if customer is None:
        raise click.ClickException(f"no customer with code {customer_code!r}")
    price_list = None
    if list_code:
        price_list = session.scalar(sa.select(PriceList).where(PriceList.code == list_code))
        if price_list is None:
            raise click.ClickException(f"no price list with code {list_code!r}")
    try:
        customer_prices.assign(session, customer, price_list.id if price_list else None)
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from error
    which = price_list.code if price_list else "the default list"
    click.echo(f"{customer.code}'s quotes are priced from {which}")
