"""Schemas of tariffs and their time-of-use periods."""

from __future__ import annotations

import marshmallow as ma

from crm_industry_power.models import PERIODS
from crm_industry_power.schemas.fields import price_field
from crm_industry_power.tariffs import clock


class PeriodIn(ma.Schema):
    period = ma.fields.String(required=True, validate=ma.validate.OneOf(PERIODS))
    start = ma.fields.String(required=True, metadata={"example": "08:00"})
    end = ma.fields.String(required=True, metadata={"example": "11:00"})


class TariffIn(ma.Schema):
    code = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    currency = ma.fields.String(validate=ma.validate.Regexp(r"^[A-Z]{3}$"))
    peak_price = price_field()
    flat_price = price_field()
    valley_price = price_field()
    capacity_price = price_field(allow_none=True)
    periods = ma.fields.List(ma.fields.Nested(PeriodIn), validate=ma.validate.Length(max=48))


class PeriodOut(ma.Schema):
    period = ma.fields.String()
    start = ma.fields.Function(lambda p: clock(p.start_minute))
    end = ma.fields.Function(lambda p: clock(p.end_minute))


class TariffOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    currency = ma.fields.String()
    peak_price = ma.fields.Decimal(as_string=True)
    flat_price = ma.fields.Decimal(as_string=True)
    valley_price = ma.fields.Decimal(as_string=True)
    capacity_price = ma.fields.Decimal(as_string=True, allow_none=True)
    periods = ma.fields.List(ma.fields.Nested(PeriodOut))
