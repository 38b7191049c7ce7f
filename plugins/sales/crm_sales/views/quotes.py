"""The quotes pages: the list, the form for a new quote, one quote and its next steps."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Customer, ValidationFailed, get_host
from crm_host.sdk.web import check_form_version, page
from crm_sales import pricing, quotes
from crm_sales.models import PriceList, Product, Quote
from crm_sales.permissions import QUOTES_READ, QUOTES_WRITE
from crm_sales.views.common import bp, form_fields, refuse

#: Line rows on the new-quote form; rows left without a product are skipped.
FORM_LINES = 6


@bp.route("/quotes")
@page(QUOTES_READ)
def quotes_page() -> str:
    """The latest quotes with their status and total."""
    session = get_host().session
    rows = session.execute(
        sa.select(Quote, Customer.code, Customer.name)
        .join(Customer, Customer.id == Quote.customer_id)
        .order_by(Quote.id.desc())
        .limit(200)
    ).all()
    return render_template("sales/quotes.html", rows=rows)


def _quote_form(values: Any = None) -> str:
    session = get_host().session
    return render_template(
        "sales/quote_new.html",
        price_lists=list(session.scalars(sa.select(PriceList).order_by(PriceList.code))),
        products=list(
            session.scalars(
                sa.select(Product).where(Product.active.is_(True)).order_by(Product.code)
            )
        ),
        line_numbers=range(FORM_LINES),
        values=values or {},
    )


@bp.route("/quotes/new")
@page(QUOTES_WRITE)
def new_quote() -> str:
    """The form for a new quote: a customer, a price list and a few lines."""
    return _quote_form()


def _posted_quote(session: Any) -> dict[str, Any]:
    """The quote the form describes, as the service takes it; unknown codes are named."""
    form = form_fields()
    data: dict[str, Any] = {"valid_until": form.get("valid_until"), "lines": []}
    code = form.get("customer_code", "")
    data["customer_id"] = session.scalar(sa.select(Customer.id).where(Customer.code == code))
    if data["customer_id"] is None:
        raise ValidationFailed(
            "the quote is not valid", details={"customer_code": [f"No customer {code!r}."]}
        )
    if form.get("price_list_id", "").isdigit():
        data["price_list_id"] = int(form["price_list_id"])
    for n in range(FORM_LINES):
        product = form.get(f"product_{n}", "")
        if product.isdigit():
            data["lines"].append(
                {
                    "product_id": int(product),
                    "quantity": form.get(f"quantity_{n}", "1"),
                    "discount_percent": form.get(f"discount_{n}", "0"),
                }
            )
    return data


@bp.route("/quotes", methods=["POST"])
@page(QUOTES_WRITE)
def create_quote() -> Response | str:
    """Make the quote; a refusal shows the form again with what was typed."""
    session = get_host().session
    user = current_user.user
    try:
        quote = quotes.create_quote(session, _posted_quote(session), actor=user)
        session.commit()
    except CrmError as error:
        refuse(error)
        return _quote_form(request.form)
    flash(gettext("Quote %(number)s made.", number=quote.number))
    return redirect(url_for(".quote_page", quote_id=quote.id))


@bp.route("/quotes/<id:quote_id>")
@page(QUOTES_READ)
def quote_page(quote_id: int) -> str:
    """One quote: its lines, totals, status, and the next steps it allows."""
    session = get_host().session
    quote = quotes.get_quote(session, quote_id)
    return render_template(
        "sales/quote.html",
        quote=quote,
        customer=session.get(Customer, quote.customer_id),
        price_list=pricing.get_price_list(session, quote.price_list_id),
        next_statuses=sorted(s.value for s in quotes.NEXT.get(quote.status, ())),
    )


@bp.route("/quotes/<id:quote_id>/status", methods=["POST"])
@page(QUOTES_WRITE)
def quote_status(quote_id: int) -> Response:
    """Send, accept, reject or expire the quote; accepting records its order."""
    session = get_host().session
    user = current_user.user
    try:
        quote = quotes.get_quote(session, quote_id)
        check_form_version(quote, request.form)
        order = quotes.set_status(session, quote, form_fields().get("status", ""), actor=user)
        session.commit()
        if order is not None:
            flash(gettext("Order %(number)s recorded.", number=order.number))
    except CrmError as error:
        refuse(error)
    return redirect(url_for(".quote_page", quote_id=quote_id))
