"""``crm sales quotes …``: list, make, answer and expire quotes."""

from __future__ import annotations

from typing import Any

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from crm_host.sdk import CrmError, Customer, fail, get_host
from crm_sales import quotes
from crm_sales.models import PriceList, Product, Quote


@click.group("quotes", cls=AppGroup)
def quotes_group() -> None:
    """Quotes."""


@quotes_group.command("list")
@click.option("--status", type=click.Choice([s.value for s in quotes.QuoteStatus]))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def list_quotes(status: str | None, limit: int) -> None:
    """Quotes, newest first: id, number, status, customer id, total, currency, order."""
    query = sa.select(Quote).order_by(Quote.id.desc()).limit(limit)
    if status:
        query = query.where(Quote.status == quotes.QuoteStatus(status))
    for quote in get_host().session.scalars(query):
        order = f"order {quote.order_id}" if quote.order_id else "-"
        click.echo(
            f"{quote.id}\t{quote.number}\t{quote.status.value}\t{quote.customer_id}\t"
            f"{quote.total:.2f}\t{quote.currency}\t{order}"
        )


def _price_list_id(session: Session, list_code: str | None) -> int | None:
    """The id of the list named by its code; ``None`` when no code is given."""
    if not list_code:
        return None
    price_list_id = session.scalar(sa.select(PriceList.id).where(PriceList.code == list_code))
    if price_list_id is None:
        raise click.ClickException(f"no price list with code {list_code!r}")
    return price_list_id


def _quote_lines(session: Session, lines: tuple[str, ...]) -> list[dict[str, Any]]:
    """The lines typed as ``PRODUCT_CODE[:QUANTITY[:DISCOUNT_PERCENT]]``, as the service
    takes them; the first line naming no product stops the command."""
    raw_lines = []
    for n, text in enumerate(lines, start=1):
        parts = text.split(":")
        code = parts[0]
        quantity = parts[1] if len(parts) > 1 else "1"
        discount = parts[2] if len(parts) > 2 else "0"
        product_id = session.scalar(sa.select(Product.id).where(Product.code == code))
        if product_id is None or len(parts) > 3:
            raise click.ClickException(
                f"line {n} ({text!r}): give PRODUCT_CODE[:QUANTITY[:DISCOUNT]] of a product"
            )
        raw_lines.append(
            {"product_id": product_id, "quantity": quantity, "discount_percent": discount}
        )
    return raw_lines


@quotes_group.command("add")
@click.argument("customer_code")
@click.argument("lines", nargs=-1, required=True)
@click.option("--price-list", "list_code", help="Price list code (the default list if not).")
@click.option("--valid-until", help="Last day the offer holds (YYYY-MM-DD).")
def add_quote(
    customer_code: str, lines: tuple[str, ...], list_code: str | None, valid_until: str | None
) -> None:
    """Make a draft quote; each line is PRODUCT_CODE[:QUANTITY[:DISCOUNT_PERCENT]]."""
    session = get_host().session
    customer = session.scalar(sa.select(Customer).where(Customer.code == customer_code))
    if customer is None:
        raise click.ClickException(f"no customer with code {customer_code!r}")
    data = {
        "customer_id": customer.id,
        "price_list_id": _price_list_id(session, list_code),
        "valid_until": valid_until,
        "lines": _quote_lines(session, lines),
    }
    try:
        quote = quotes.create_quote(session, data)
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from error
    click.echo(
        f"quote {quote.number} (id {quote.id}): subtotal {quote.subtotal:.2f}, "
        f"discount {quote.discount:.2f}, total {quote.total:.2f} {quote.currency}"
    )


@quotes_group.command("status")
@click.argument("quote_id", type=int)
@click.argument("status", type=click.Choice(["sent", "accepted", "rejected", "expired"]))
def quote_status(quote_id: int, status: str) -> None:
    """Send, accept, reject or expire a quote; accepting records its order."""
    session = get_host().session
    try:
        quote = quotes.get_quote(session, quote_id)
        order = quotes.set_status(session, quote, status)
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from error
    made = f"; order {order.number} recorded" if order else ""
    click.echo(f"quote {quote.number} {status}{made}")


@quotes_group.command("expire")
def expire_quotes() -> None:
    """Mark sent quotes past their validity as expired."""
    session = get_host().session
    count = quotes.expire_due(session)
    session.commit()
    click.echo(f"{count} quotes expired")
