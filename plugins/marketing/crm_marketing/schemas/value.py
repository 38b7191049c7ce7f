"""Schemas of lifetime values, the customer pyramid, the loyalty–value matrix and win-back."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import PageArgs
from crm_marketing.schemas.rfm import RefreshIn


class ValueModelOut(ma.Schema):
    currency = ma.fields.String()
    horizon_days = ma.fields.Integer()
    customers = ma.fields.Integer()
    repeat_buyers = ma.fields.Integer()
    r = ma.fields.Float()
    alpha = ma.fields.Float()
    a = ma.fields.Float()
    b = ma.fields.Float()
    bgnbd_log_likelihood = ma.fields.Float()
    p = ma.fields.Float(allow_none=True)
    q = ma.fields.Float(allow_none=True)
    v = ma.fields.Float(allow_none=True)
    gamma_gamma_log_likelihood = ma.fields.Float(allow_none=True)
    discount_rate = ma.fields.Float(allow_none=True)
    comparison = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "BG/NBD and Pareto/NBD on the same history: per model its "
            "params and log_likelihood, and on the calibration / holdout split "
            "holdout_predicted, holdout_actual and holdout_error (mean absolute error)."
        },
    )
    computed_at = ma.fields.DateTime()


class ValueSummaryOut(ma.Schema):
    model = ma.fields.Nested(ValueModelOut, allow_none=True)
    churn_risk = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class CustomerValueOut(ma.Schema):
    customer_id = ma.fields.Integer()
    currency = ma.fields.String()
    frequency = ma.fields.Integer()
    recency_weeks = ma.fields.Float()
    age_weeks = ma.fields.Float()
    average_spend = ma.fields.Decimal(as_string=True, allow_none=True)
    p_alive = ma.fields.Float()
    expected_purchases = ma.fields.Float()
    expected_value = ma.fields.Decimal(as_string=True, allow_none=True)
    churn_risk = ma.fields.String()
    computed_at = ma.fields.DateTime()


class CustomerValuePage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CustomerValueOut))
    next_cursor = ma.fields.String(allow_none=True)


class CustomerValueQuery(PageArgs):
    churn_risk = ma.fields.String(validate=ma.validate.OneOf(("low", "medium", "high")))


class ValueRefreshIn(RefreshIn):
    horizon_days = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=3650), metadata={"example": 365}
    )
    discount_rate = ma.fields.Float(
        validate=ma.validate.Range(min=0, max=10, max_inclusive=False),
        metadata={"example": 0.1, "description": "Annual, as a fraction; discounted weekly."},
    )


class PyramidTierOut(ma.Schema):
    tier = ma.fields.String()
    customers = ma.fields.Integer()
    monetary = ma.fields.Decimal(as_string=True)


class PyramidOut(ma.Schema):
    tiers = ma.fields.List(ma.fields.Nested(PyramidTierOut))
    computed_at = ma.fields.DateTime(allow_none=True)


class LoyaltyValueOut(ma.Schema):
    quadrants = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    computed_at = ma.fields.DateTime(allow_none=True)


class WinBackIn(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    risks = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(("low", "medium", "high"))),
        validate=ma.validate.Length(min=1, max=3),
        load_default=lambda: ["medium", "high"],
    )
