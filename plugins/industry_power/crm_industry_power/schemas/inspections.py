"""Schemas of inspection plans and records."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import utcnow
from crm_host.sdk import validation as check
from crm_host.sdk.web import Id
from crm_industry_power.inspections import MAX_INTERVAL_DAYS, is_overdue
from crm_industry_power.models import INSPECTION_KINDS, INSPECTION_RESULTS
from crm_industry_power.schemas.fields import day_field, query_id_field
from crm_industry_power.zones import company_timezone


class InspectionPlanIn(ma.Schema):
    account_id = Id(required=True)
    equipment_id = Id(allow_none=True)
    interval_days = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=MAX_INTERVAL_DAYS)
    )
    next_due = day_field(required=True)
    responsible_id = Id(allow_none=True)
    active = ma.fields.Boolean()


class InspectionPlanQuery(ma.Schema):
    account_id = query_id_field()
    overdue = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only plans whose due date has passed"}
    )


class InspectionPlanOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    equipment_id = ma.fields.Integer(allow_none=True)
    interval_days = ma.fields.Integer()
    next_due = ma.fields.Date()
    responsible_id = ma.fields.Integer(allow_none=True)
    active = ma.fields.Boolean()
    overdue = ma.fields.Method("_overdue", metadata={"type": "boolean"})
    flagged_due = ma.fields.Date(allow_none=True)

    def _overdue(self, plan) -> bool:
        # Overdue is judged on the company's local date, as the schedule judges it.
        return is_overdue(plan, utcnow().astimezone(company_timezone()).date())


class InspectionRecordIn(ma.Schema):
    kind = check.Choice(INSPECTION_KINDS, load_default="patrol")
    inspected_on = day_field(required=True)
    inspector_id = Id(allow_none=True)
    findings = check.Text(4000, multiline=True, load_default="", allow_none=False)
    result = check.Choice(INSPECTION_RESULTS, required=True)
    follow_up = check.Text(4000, multiline=True)


class InspectionRecordOut(ma.Schema):
    id = ma.fields.Integer()
    plan_id = ma.fields.Integer()
    kind = ma.fields.String()
    inspected_on = ma.fields.Date()
    inspector_id = ma.fields.Integer(allow_none=True)
    findings = ma.fields.String()
    result = ma.fields.String()
    follow_up = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
