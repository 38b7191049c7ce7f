"""Schemas of RFM scores, the grid and their refresh."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import PageArgs


class RfmOut(ma.Schema):
    customer_id = ma.fields.Integer()
    last_purchase_at = ma.fields.DateTime()
    frequency = ma.fields.Integer()
    monetary = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    r_score = ma.fields.Integer()
    f_score = ma.fields.Integer()
    m_score = ma.fields.Integer()
    code = ma.fields.String()
    pyramid = ma.fields.String(allow_none=True)
    loyalty_value = ma.fields.String(allow_none=True)
    computed_at = ma.fields.DateTime()


class RfmPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RfmOut))
    next_cursor = ma.fields.String(allow_none=True)


class RfmQuery(PageArgs):
    r_score = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))
    f_score = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))
    m_score = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))


class RfmCellOut(ma.Schema):
    r_score = ma.fields.Integer()
    f_score = ma.fields.Integer()
    customers = ma.fields.Integer()


class RfmGridOut(ma.Schema):
    cells = ma.fields.List(ma.fields.Nested(RfmCellOut))
    computed_at = ma.fields.DateTime(allow_none=True)


class RefreshIn(ma.Schema):
    currency = ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Z]{3}$"),
        load_default="CNY",
        metadata={"example": "CNY"},
    )
