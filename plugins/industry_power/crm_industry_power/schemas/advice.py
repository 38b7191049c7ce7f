"""Schemas of energy-saving and grid-upgrade advice."""

from __future__ import annotations

import marshmallow as ma

from crm_industry_power.schemas.fields import day_field


class AdviceRefreshIn(ma.Schema):
    last_day = day_field(load_default=None)


class AdviceQuery(ma.Schema):
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class AdviceOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    rule = ma.fields.String()
    kind = ma.fields.String()
    first_day = ma.fields.Date()
    last_day = ma.fields.Date()
    figures = ma.fields.Dict()
    monthly_saving = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String(allow_none=True)
    computed_at = ma.fields.DateTime()
