"""Schemas of the cross-sell rules and recommendations."""

from __future__ import annotations

import marshmallow as ma


class RulesQuery(ma.Schema):
    min_support = ma.fields.Float(
        load_default=0.01, validate=ma.validate.Range(min=0.0001, max=1), allow_nan=False
    )
    min_confidence = ma.fields.Float(
        load_default=0.3, validate=ma.validate.Range(min=0, max=1), allow_nan=False
    )
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))


class RuleOut(ma.Schema):
    antecedent = ma.fields.List(ma.fields.String(), metadata={"description": "Product codes"})
    consequent = ma.fields.List(ma.fields.String())
    support = ma.fields.Float()
    confidence = ma.fields.Float()
    lift = ma.fields.Float()


class RecommendationOut(ma.Schema):
    product_id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    confidence = ma.fields.Float()
    lift = ma.fields.Float()
    because = ma.fields.List(ma.fields.String(), metadata={"description": "Product codes bought"})
