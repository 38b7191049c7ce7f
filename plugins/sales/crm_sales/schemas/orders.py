"""Schemas of ``/products`` and ``/orders``."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import Id, PageArgs
from crm_sales.schemas.common import (
    amount_field,
    currency_field,
    percent_field,
    query_id_field,
    text_field,
)


class ProductIn(ma.Schema):
    code = text_field(64, required=True, allow_none=False, allow_blank=False)
    name = text_field(200, required=True, allow_none=False, allow_blank=False)
    unit_price = amount_field(required=True)
    currency = currency_field()


class ProductOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    unit_price = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    active = ma.fields.Boolean()


class OrderLineIn(ma.Schema):
    product_id = Id(allow_none=True)
    description = text_field(200)
    quantity = ma.fields.Decimal(
        load_default=1,
        places=3,
        validate=ma.validate.Range(min=0, max=999999999, min_inclusive=False),
        metadata={"default": 1, "minimum": 0, "exclusiveMinimum": True, "maximum": 999999999},
    )
    unit_price = amount_field(allow_none=True)
    discount_percent = percent_field()


class OrderIn(ma.Schema):
    customer_id = Id(required=True)
    opportunity_id = Id(allow_none=True)
    number = text_field(32, allow_none=False, allow_blank=False)
    currency = currency_field()
    ordered_at = ma.fields.AwareDateTime(default_timezone=None)
    lines = ma.fields.List(
        ma.fields.Nested(OrderLineIn), required=True, validate=ma.validate.Length(min=1, max=500)
    )


class OrderLineOut(ma.Schema):
    id = ma.fields.Integer()
    product_id = ma.fields.Integer(allow_none=True)
    description = ma.fields.String()
    quantity = ma.fields.Decimal(as_string=True)
    unit_price = ma.fields.Decimal(as_string=True)
    discount_percent = ma.fields.Decimal(as_string=True)
    amount = ma.fields.Decimal(as_string=True)


class OrderOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    customer_id = ma.fields.Integer()
    opportunity_id = ma.fields.Integer(allow_none=True)
    ordered_at = ma.fields.DateTime()
    currency = ma.fields.String()
    amount = ma.fields.Decimal(as_string=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineOut))


class OrderPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OrderOut))
    next_cursor = ma.fields.String(allow_none=True)


class OrderQuery(PageArgs):
    customer_id = query_id_field()
