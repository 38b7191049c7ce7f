"""Schemas of ``/leads``: capture, status changes, conversion and duplicates."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import Id, PageArgs
from crm_sales.schemas.common import amount_field, currency_field, query_id_field, text_field
from crm_sales.schemas.pipeline import OpportunityOut

LEAD_STATUSES = ["new", "contacted", "qualified", "converted", "disqualified"]


class LeadIn(ma.Schema):
    name = text_field(200, required=True, allow_none=False, allow_blank=False)
    company = text_field(200)
    email = text_field(320)
    phone = text_field(32)
    source = text_field(64, metadata={"example": "web"})
    campaign = text_field(100)
    owner_id = Id(allow_none=True)
    department = text_field(200, metadata={"description": "Department code or name"})


class LeadOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    company = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    status = ma.fields.Function(lambda lead: lead.status.value)
    disqualified_reason = ma.fields.String(allow_none=True)
    source = ma.fields.String(allow_none=True)
    campaign = ma.fields.String(allow_none=True)
    score = ma.fields.Integer()
    owner_id = ma.fields.Integer(allow_none=True)
    unassigned_reason = ma.fields.Function(
        lambda lead: getattr(lead, "unassigned_reason", None),
        metadata={"description": "Why a lead just captured got no owner"},
    )
    department_id = ma.fields.Integer(allow_none=True)
    customer_id = ma.fields.Integer(allow_none=True)
    converted_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class LeadPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(LeadOut))
    next_cursor = ma.fields.String(allow_none=True)


class LeadQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(LEAD_STATUSES))
    owner_id = query_id_field()
    source = ma.fields.String(validate=ma.validate.Length(max=64))


class LeadStatusIn(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(LEAD_STATUSES))
    reason = text_field(300)


class ConvertIn(ma.Schema):
    customer_id = Id(allow_none=True, metadata={"description": "Convert into this customer"})
    customer_code = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    opportunity_name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    amount = amount_field()
    currency = currency_field()
    expected_close = check.Date(allow_none=True)
    stage = ma.fields.String(validate=ma.validate.Length(min=1, max=32))


class CustomerRef(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()


class ConversionOut(ma.Schema):
    lead = ma.fields.Nested(LeadOut)
    customer = ma.fields.Nested(CustomerRef)
    opportunity = ma.fields.Nested(OpportunityOut)
