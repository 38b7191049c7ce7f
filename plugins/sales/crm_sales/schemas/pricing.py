"""Schemas of the price lists and a customer's own list."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import Id
from crm_sales.schemas.common import amount_field, currency_field, text_field


class PriceListIn(ma.Schema):
    code = text_field(32, required=True, allow_none=False, allow_blank=False)
    name = text_field(100, required=True, allow_none=False, allow_blank=False)
    currency = currency_field()
    valid_from = check.Date(allow_none=True)
    valid_to = check.Date(allow_none=True)
    is_default = ma.fields.Boolean(load_default=False)


class PriceIn(ma.Schema):
    product_id = Id(required=True)
    unit_price = amount_field(required=True)


class PriceOut(ma.Schema):
    product_id = ma.fields.Integer()
    unit_price = ma.fields.Decimal(as_string=True)


class PriceListOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    currency = ma.fields.String()
    valid_from = ma.fields.Date(allow_none=True)
    valid_to = ma.fields.Date(allow_none=True)
    is_default = ma.fields.Boolean()
    prices = ma.fields.List(ma.fields.Nested(PriceOut))


class PriceListBrief(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    currency = ma.fields.String()
    valid_from = ma.fields.Date(allow_none=True)
    valid_to = ma.fields.Date(allow_none=True)


class CustomerPriceListIn(ma.Schema):
    price_list_id = Id(required=True, allow_none=True)


class CustomerPriceListOut(ma.Schema):
    customer_id = ma.fields.Integer()
    price_list = ma.fields.Nested(PriceListBrief, allow_none=True)
