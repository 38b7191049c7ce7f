"""Schemas of ``/quotes``."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import Id, PageArgs
from crm_sales.schemas.common import percent_field, quantity_field, query_id_field, text_field

QUOTE_STATUSES = ["draft", "sent", "accepted", "rejected", "expired"]


class QuoteLineIn(ma.Schema):
    product_id = Id(required=True)
    description = text_field(200)
    quantity = quantity_field()
    discount_percent = percent_field()


class QuoteIn(ma.Schema):
    customer_id = Id(required=True)
    opportunity_id = Id(allow_none=True)
    price_list_id = Id(allow_none=True, metadata={"description": "The default list if not given"})
    valid_until = check.Date(allow_none=True)
    lines = ma.fields.List(
        ma.fields.Nested(QuoteLineIn), required=True, validate=ma.validate.Length(min=1, max=200)
    )


class QuoteLineOut(ma.Schema):
    id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    description = ma.fields.String()
    quantity = ma.fields.Decimal(as_string=True)
    unit_price = ma.fields.Decimal(as_string=True)
    discount_percent = ma.fields.Decimal(as_string=True)
    amount = ma.fields.Decimal(as_string=True)


class QuoteOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    customer_id = ma.fields.Integer()
    opportunity_id = ma.fields.Integer(allow_none=True)
    price_list_id = ma.fields.Integer()
    currency = ma.fields.String()
    status = ma.fields.Function(lambda q: q.status.value)
    valid_until = ma.fields.Date(allow_none=True)
    subtotal = ma.fields.Decimal(as_string=True)
    discount = ma.fields.Decimal(as_string=True)
    total = ma.fields.Decimal(as_string=True)
    order_id = ma.fields.Integer(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(QuoteLineOut))


class QuotePage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(QuoteOut))
    next_cursor = ma.fields.String(allow_none=True)


class QuoteQuery(PageArgs):
    customer_id = query_id_field()
    status = ma.fields.String(validate=ma.validate.OneOf(QUOTE_STATUSES))


class QuoteStatusIn(ma.Schema):
    status = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["sent", "accepted", "rejected", "expired"])
    )
