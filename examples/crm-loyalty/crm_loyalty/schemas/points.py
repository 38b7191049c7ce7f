"""Marshmallow schemas of points: balances, movements, awards and redemptions."""

from __future__ import annotations

import marshmallow as ma


class MovementSchema(ma.Schema):
    """One movement of points."""

    id = ma.fields.Integer(dump_only=True)
    points = ma.fields.Integer()
    reason = ma.fields.String()
    ref = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class AccountSchema(ma.Schema):
    """A customer's balance and latest movements."""

    customer_id = ma.fields.Integer()
    balance = ma.fields.Integer()
    movements = ma.fields.List(ma.fields.Nested(MovementSchema))


class NewMovementSchema(ma.Schema):
    """Points to award (positive) or redeem (negative)."""

    points = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=-1_000_000, max=1_000_000)
    )
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
