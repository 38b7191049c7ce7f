"""Schemas of ``/scoring-rules``."""

from __future__ import annotations

import marshmallow as ma

from crm_sales.schemas.common import text_field


class ScoringRuleIn(ma.Schema):
    field = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["source", "campaign", "company", "email", "phone", "name"]),
    )
    operator = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["present", "equals", "endswith"])
    )
    value = text_field(200)
    points = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(min=-1000, max=1000)
    )


class ScoringRuleOut(ma.Schema):
    id = ma.fields.Integer()
    field = ma.fields.String()
    operator = ma.fields.String()
    value = ma.fields.String()
    points = ma.fields.Integer()
    active = ma.fields.Boolean()
