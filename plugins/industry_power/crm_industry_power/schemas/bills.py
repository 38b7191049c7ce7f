"""Schemas of bills and the customer report."""

from __future__ import annotations

import marshmallow as ma


class BillIn(ma.Schema):
    month = ma.fields.String(required=True, metadata={"example": "2026-10"})


class ReportQuery(ma.Schema):
    month = ma.fields.String(required=True, metadata={"example": "2026-10"})
    format = ma.fields.String(load_default="pdf", validate=ma.validate.OneOf(("pdf", "html")))


class BillOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    month = ma.fields.Date()
    issued_at = ma.fields.DateTime()
    peak_kwh = ma.fields.Decimal(as_string=True)
    flat_kwh = ma.fields.Decimal(as_string=True)
    valley_kwh = ma.fields.Decimal(as_string=True)
    energy_amount = ma.fields.Decimal(as_string=True)
    capacity_amount = ma.fields.Decimal(as_string=True)
    amount = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
