"""What the return-visit endpoints read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_service.models import VISIT_OUTCOMES


class ReturnVisitQuery(ma.Schema):
    due = ma.fields.Boolean(
        load_default=True, metadata={"description": "Only visits due now (false: all pending)"}
    )
    mine = ma.fields.Boolean(load_default=False)


class ReturnVisitIn(ma.Schema):
    outcome = check.Choice(VISIT_OUTCOMES, required=True)
    note = check.Text(2000, multiline=True)


class ReturnVisitOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.Integer()
    due_at = ma.fields.DateTime()
    assignee_id = ma.fields.Integer(allow_none=True)
    outcome = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    done_at = ma.fields.DateTime(allow_none=True)
    done_by_id = ma.fields.Integer(allow_none=True)
