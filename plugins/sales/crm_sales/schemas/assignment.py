"""Schemas of the lead assignment of a department and a seller's capacity."""

from __future__ import annotations

import marshmallow as ma


class AssignmentIn(ma.Schema):
    method = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["round_robin", "least_loaded"])
    )


class CapacityIn(ma.Schema):
    capacity = ma.fields.Integer(
        required=True,
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(min=0, max=100000),
        metadata={"description": "Most open leads and opportunities; null lifts the cap"},
    )


class SellerLoadOut(ma.Schema):
    user_id = ma.fields.Integer()
    username = ma.fields.String()
    open = ma.fields.Integer()
    capacity = ma.fields.Integer(allow_none=True)


class AssignmentOut(ma.Schema):
    department_id = ma.fields.Integer()
    method = ma.fields.String()
    sellers = ma.fields.List(ma.fields.Nested(SellerLoadOut))
