"""Schemas of service guarantee types and guarantees."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import Id
from crm_industry_power.guarantees import MAX_CREDIT
from crm_industry_power.models import GUARANTEE_KINDS, GUARANTEE_UNITS
from crm_industry_power.schemas.fields import EARLIEST, LATEST, query_id_field


class GuaranteeTypeIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))
    name = check.Text(100, required=True, allow_blank=False, allow_none=False)
    kind = check.Choice(GUARANTEE_KINDS, required=True)
    target_value = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(min=0, max=100_000)
    )
    target_unit = check.Choice(GUARANTEE_UNITS, required=True)
    calendar = ma.fields.String(
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "A business calendar's name (crm calendars list), or 24x7"},
    )
    credit_amount = check.Money(maximum=MAX_CREDIT - check.CENT, as_string=True, required=True)
    currency = check.Currency()
    active = ma.fields.Boolean()


class GuaranteeTypeOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    target_value = ma.fields.Integer()
    target_unit = ma.fields.String()
    calendar = ma.fields.String()
    credit_amount = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    active = ma.fields.Boolean()


class GuaranteeIn(ma.Schema):
    type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))
    customer_id = Id(allow_none=True)
    account_id = Id(allow_none=True)
    reference = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    started_at = ma.fields.AwareDateTime(
        allow_none=True, validate=ma.validate.Range(min=EARLIEST, max=LATEST)
    )
    event_at = ma.fields.AwareDateTime(
        allow_none=True, validate=ma.validate.Range(min=EARLIEST, max=LATEST)
    )


class GuaranteeQuery(ma.Schema):
    customer_id = query_id_field()
    breached = ma.fields.Boolean(load_default=None, allow_none=True)


class GuaranteeOut(ma.Schema):
    id = ma.fields.Integer()
    type_id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    account_id = ma.fields.Integer(allow_none=True)
    reference = ma.fields.String()
    started_at = ma.fields.DateTime()
    event_at = ma.fields.DateTime(allow_none=True)
    due_at = ma.fields.DateTime()
    met_at = ma.fields.DateTime(allow_none=True)
    breached_at = ma.fields.DateTime(allow_none=True)
    credit_owed = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String()
