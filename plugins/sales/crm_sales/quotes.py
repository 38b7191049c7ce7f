"""Quotes: lines priced from a price list, with a discount per line, and a status flow
draft → sent → accepted | rejected | expired.

Accepting a quote records its order (same lines, same totals) in the caller's
transaction, so either both are written or neither is.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, NotFound, User, ValidationFailed, audit, company_today, timeline
from crm_host.sdk import validation as check
from crm_sales import orders, pricing
from crm_sales.models import Opportunity, Order, Product, Quote, QuoteLine, QuoteStatus

MAX_LINES = 200
MAX_QUANTITY = Decimal("999999999.999")
#: Where each status may go next; accepted, rejected and expired are final.
NEXT = {
    QuoteStatus.DRAFT: {QuoteStatus.SENT},
    QuoteStatus.SENT: {QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED},
}


def get_quote(session: Session, quote_id: int) -> Quote:
    """The quote with this id, or :class:`NotFound`."""
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFound(f"no quote with id {quote_id}")
    return quote


def _line(
    raw: Mapping[str, Any],
    n: int,
    products: dict[int, Product],
    prices: dict[int, Decimal],
    list_code: str,
    errors: check.Errors,
) -> QuoteLine | None:
    field = f"lines.{n}"
    product = products.get(raw.get("product_id"))  # type: ignore[arg-type]
    if product is None:
        errors[f"{field}.product_id"] = [f"No product with id {raw.get('product_id')}."]
        return None
    if product.id not in prices:
        errors[f"{field}.product_id"] = [f"{product.code} has no price on price list {list_code}."]
        return None
    quantity = check.decimal(
        raw.get("quantity", 1),
        f"{field}.quantity",
        errors,
        places=3,
        minimum=Decimal("0.001"),
        maximum=MAX_QUANTITY,
        required=True,
    )
    discount = check.decimal(
        raw.get("discount_percent", 0),
        f"{field}.discount_percent",
        errors,
        places=2,
        minimum=0,
        maximum=100,
        required=True,
    )
    if quantity is None or discount is None:
        return None
    figures = pricing.line_figures(quantity, prices[product.id], discount)
    if figures.gross > check.MAX_AMOUNT:
        errors[f"{field}.quantity"] = ["The line's amount is too large."]
    return QuoteLine(
        product_id=product.id,
        description=check.text(
            raw.get("description") or product.name,
            f"{field}.description",
            errors,
            max_length=200,
            required=True,
        )
        or "",
        quantity=quantity,
        unit_price=prices[product.id],
        discount_percent=discount,
        amount=figures.net,
    )


def totals(lines: list[QuoteLine]) -> tuple[Decimal, Decimal, Decimal]:
    """Subtotal before discounts, the discounts, and the total, summed line by line."""
    subtotal = discount = Decimal("0.00")
    for line in lines:
        figures = pricing.line_figures(line.quantity, line.unit_price, line.discount_percent)
        subtotal += figures.gross
        discount += figures.discount
    return subtotal, discount, subtotal - discount


def create_quote(
    session: Session,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    today: date | None = None,
) -> Quote:
    """A draft quote for a customer, priced from the chosen (or the default) price list.

    Each line names a ``product_id``, a ``quantity`` (1) and a ``discount_percent`` (0);
    its unit price is the product's price on the list. Every problem is reported at once.
    """
    today = today or company_today()
    errors: check.Errors = {}
    customer_id = check.customer_ref(session, data.get("customer_id"), "customer_id", errors)
    opportunity_id = data.get("opportunity_id")
    if opportunity_id is not None:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None:
            errors["opportunity_id"] = [f"No opportunity with id {opportunity_id}."]
        elif opportunity.customer_id != customer_id:
            errors["opportunity_id"] = ["The opportunity is another customer's."]
    valid_until = check.date(data.get("valid_until"), "valid_until", errors)
    if valid_until is not None and valid_until < today:
        errors["valid_until"] = [f"Already past ({today})."]
    raw_lines = list(data.get("lines") or [])
    if not raw_lines:
        errors["lines"] = ["A quote has at least one line."]
    elif len(raw_lines) > MAX_LINES:
        errors["lines"] = [f"At most {MAX_LINES} lines."]
    try:
        known = customer_id if "customer_id" not in errors else None
        price_list = pricing.choose(session, data.get("price_list_id"), today, customer_id=known)
    except ValidationFailed as error:
        errors.update(error.details)
        price_list = None
    lines: list[QuoteLine | None] = []
    if price_list is not None:
        wanted = {r.get("product_id") for r in raw_lines[:MAX_LINES] if isinstance(r, Mapping)}
        ids = [i for i in wanted if isinstance(i, int) and not isinstance(i, bool)]
        products = {p.id: p for p in session.scalars(sa.select(Product).where(Product.id.in_(ids)))}
        prices = pricing.prices(session, price_list)
        lines = [
            _line(raw, n, products, prices, price_list.code, errors)
            for n, raw in enumerate(raw_lines[:MAX_LINES])
        ]
    check.fail_if(errors, "the quote is not valid")
    kept = [line for line in lines if line is not None]
    subtotal, discount, total = totals(kept)
    if subtotal > check.MAX_AMOUNT:
        check.fail_if({"lines": ["The quote's total is too large."]}, "the quote is not valid")
    assert price_list is not None  # no errors, so a list was found
    quote = Quote(
        # A placeholder unique until the id is known: QT + the id, zero-padded.
        number=uuid.uuid4().hex,
        customer_id=customer_id,
        opportunity_id=opportunity_id,
        price_list_id=price_list.id,
        currency=price_list.currency,
        valid_until=valid_until,
        subtotal=subtotal,
        discount=discount,
        total=total,
        created_by_id=actor.id if actor else None,
        lines=kept,
    )
    session.add(quote)
    session.flush()
    quote.number = f"QT{quote.id:08d}"
    session.flush()
    audit.record(
        session,
        "create",
        "sales_quote",
        quote.id,
        after={"number": quote.number, "total": quote.total, "currency": quote.currency},
        actor=actor,
        plugin="sales",
    )
    return quote


def set_status(
    session: Session,
    quote: Quote,
    status: str,
    *,
    actor: User | None = None,
    today: date | None = None,
) -> Order | None:
    """Move a quote on; accepting it records its order, which is returned.

    A sent quote past its ``valid_until`` cannot be accepted: it can only expire.
    """
    try:
        target = QuoteStatus(status)
    except ValueError:
        raise ValidationFailed(
            "the status is not valid",
            details={"status": [f"One of {', '.join(s.value for s in QuoteStatus)}."]},
        ) from None
    if target not in NEXT.get(quote.status, set()):
        raise Conflict(
            f"quote {quote.number} is {quote.status.value}; it cannot become {target.value}",
            details={"status": [f"Not allowed from {quote.status.value}."]},
        )
    today = today or company_today()
    if target is QuoteStatus.ACCEPTED and quote.valid_until and quote.valid_until < today:
        raise Conflict(
            f"quote {quote.number} was valid until {quote.valid_until}",
            details={"status": ["Past its validity: it can only expire."]},
        )
    before = quote.status.value
    quote.status = target
    order = None
    if target is QuoteStatus.ACCEPTED:
        order = orders.create_order(
            session,
            {
                "customer_id": quote.customer_id,
                "opportunity_id": quote.opportunity_id,
                "currency": quote.currency,
                "lines": [
                    {
                        "product_id": line.product_id,
                        "description": line.description,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "discount_percent": line.discount_percent,
                    }
                    for line in quote.lines
                ],
            },
            actor=actor,
        )
        quote.order_id = order.id
    session.flush()
    audit.record(
        session,
        "update",
        "sales_quote",
        quote.id,
        before={"status": before},
        after={"status": target.value},
        actor=actor,
        plugin="sales",
    )
    if target in (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.REJECTED):
        timeline.add_entry(
            session,
            customer_id=quote.customer_id,
            channel="note",
            subject=f"Quote {quote.number} {target.value}: {quote.total} {quote.currency}",
            source_plugin="sales",
            author=actor,
            about=("sales.quote", quote.id),
        )
    return order


def expire_due(session: Session, today: date | None = None) -> int:
    """Mark sent quotes whose validity ended before ``today`` as expired; how many."""
    today = today or company_today()
    due = list(
        session.scalars(
            sa.select(Quote).where(Quote.status == QuoteStatus.SENT, Quote.valid_until < today)
        )
    )
    for quote in due:
        set_status(session, quote, QuoteStatus.EXPIRED.value, today=today)
    return len(due)
