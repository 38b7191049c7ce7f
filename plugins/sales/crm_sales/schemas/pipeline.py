"""Schemas of the stages, the opportunities and the pipeline's figures."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import Id, PageArgs
from crm_sales.schemas.common import amount_field, currency_field, query_id_field, text_field


class StageOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    position = ma.fields.Integer()
    probability = ma.fields.Integer()
    is_won = ma.fields.Boolean()
    is_lost = ma.fields.Boolean()


class OpportunityIn(ma.Schema):
    name = text_field(200, required=True, allow_none=False, allow_blank=False)
    customer_id = Id(required=True)
    amount = amount_field()
    currency = currency_field()
    expected_close = check.Date(allow_none=True)
    stage = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    owner_id = Id(allow_none=True)
    department = text_field(200)


class OpportunityPatch(ma.Schema):
    name = text_field(200, allow_none=False, allow_blank=False)
    amount = amount_field()
    currency = currency_field()
    expected_close = check.Date(allow_none=True)
    owner_id = Id(allow_none=True)
    department = text_field(200)


class OpportunityOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    customer_id = ma.fields.Integer()
    lead_id = ma.fields.Integer(allow_none=True)
    amount = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    expected_close = ma.fields.Date(allow_none=True)
    stage = ma.fields.Function(lambda o: o.stage.code)
    probability = ma.fields.Function(lambda o: o.stage.probability)
    status = ma.fields.Function(lambda o: o.status.value)
    lost_reason = ma.fields.String(allow_none=True)
    owner_id = ma.fields.Integer(allow_none=True)
    department_id = ma.fields.Integer(allow_none=True)
    stage_entered_at = ma.fields.DateTime()
    closed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class OpportunityPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OpportunityOut))
    next_cursor = ma.fields.String(allow_none=True)


class OpportunityQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(["open", "won", "lost"]))
    stage = ma.fields.String(validate=ma.validate.Length(max=32))
    customer_id = query_id_field()
    owner_id = query_id_field()


class StageChangeIn(ma.Schema):
    stage = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))
    lost_reason = text_field(300)


class LostIn(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class StageChangeOut(ma.Schema):
    from_stage_id = ma.fields.Integer(allow_none=True)
    to_stage_id = ma.fields.Integer()
    changed_at = ma.fields.DateTime()
    changed_by_id = ma.fields.Integer(allow_none=True)


class StageFiguresOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    probability = ma.fields.Integer()
    count = ma.fields.Integer()
    amounts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True))
    weighted = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True))


class ForecastRowOut(ma.Schema):
    month = ma.fields.String(allow_none=True)
    currency = ma.fields.String()
    count = ma.fields.Integer()
    amount = ma.fields.Decimal(as_string=True)
    weighted = ma.fields.Decimal(as_string=True)


class StageIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=32))
    name = text_field(100, required=True, allow_none=False, allow_blank=False)
    position = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10_000))
    probability = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=100))
    is_won = ma.fields.Boolean()
    is_lost = ma.fields.Boolean()


class StagePatch(ma.Schema):
    name = text_field(100, allow_none=False, allow_blank=False)
    position = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10_000))
    probability = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=100))
    is_won = ma.fields.Boolean()
    is_lost = ma.fields.Boolean()


class FunnelStepOut(ma.Schema):
    code = ma.fields.String()
    reached = ma.fields.Integer()
    conversion = ma.fields.Decimal(as_string=True, allow_none=True)


class PerformanceOut(ma.Schema):
    funnel = ma.fields.List(ma.fields.Nested(FunnelStepOut))
    win_rate = ma.fields.Decimal(as_string=True, allow_none=True)
    average_cycle_days = ma.fields.Decimal(as_string=True, allow_none=True)
