"""A customer's own price list, chosen on the customer's sales panel."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Customer, ValidationFailed, get_host
from crm_host.sdk.web import page
from crm_sales import customer_prices
from crm_sales.permissions import PRODUCTS_WRITE
from crm_sales.views.common import bp, form_fields, refuse


@bp.route("/customers/<id:customer_id>/price-list", methods=["POST"])
@page(PRODUCTS_WRITE)
def customer_price_list(customer_id: int) -> Response:
    """Give the customer a price list of their own (an empty choice: the default list)."""
    session = get_host().session
    user = current_user.user
    chosen = form_fields().get("price_list_id")
    try:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise ValidationFailed(f"no customer {customer_id}")
        price_list_id = int(chosen) if chosen and chosen.isdigit() else None
        if chosen and price_list_id is None:
            raise ValidationFailed(
                "the price list is not valid", details={"price_list_id": ["A price list id."]}
            )
        customer_prices.assign(session, customer, price_list_id, actor=user)
        session.commit()
        flash(gettext("The customer's price list has been saved."))
    except CrmError as error:
        refuse(error)
    return redirect(url_for("customer_pages.view", customer_id=customer_id))
