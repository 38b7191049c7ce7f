"""Schemas of faults and crew arrivals."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import Id
from crm_industry_power.models import AREAS


class FaultIn(ma.Schema):
    description = check.Text(
        4000, multiline=True, required=True, allow_blank=False, allow_none=False
    )
    area = check.Choice(AREAS, load_default="urban")
    contact_phone = check.Text(32)


class FaultQuery(ma.Schema):
    account_id = Id(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class FaultOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    description = ma.fields.String()
    contact_phone = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    ticket_id = ma.fields.Integer(allow_none=True)
    area = ma.fields.String()
    reported_at = ma.fields.DateTime()
    arrived_at = ma.fields.DateTime(allow_none=True)


class ArrivalOut(ma.Schema):
    due_at = ma.fields.DateTime(allow_none=True)
    arrived_at = ma.fields.DateTime(allow_none=True)
    breached = ma.fields.Boolean()
