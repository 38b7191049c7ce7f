"""What the escalation-chain endpoints read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_service.schemas.common import V, ref
from crm_service.sla import MAX_MINUTES


class EscalationStepIn(ma.Schema):
    name = ma.fields.String(required=True, validate=V.Length(min=1, max=100))
    after_minutes = ma.fields.Integer(
        required=True,
        strict=True,
        validate=V.Range(min=0, max=MAX_MINUTES),
        metadata={"description": "Minutes past the ticket's earliest breached due time"},
    )
    raise_priority = ma.fields.Boolean()
    department_id = ref(allow_none=True, metadata={"description": "Move to this queue"})
    assignee_id = ref(allow_none=True, metadata={"description": "Or hand to this user"})
    notify = ma.fields.Boolean()
    active = ma.fields.Boolean()


class EscalationStepOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    after_minutes = ma.fields.Integer()
    raise_priority = ma.fields.Boolean()
    department_id = ma.fields.Integer(allow_none=True)
    assignee_id = ma.fields.Integer(allow_none=True)
    notify = ma.fields.Boolean()
    active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
