"""What the SLA-policy endpoints read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_service.models import PRIORITIES
from crm_service.schemas.common import V, ref
from crm_service.sla import MAX_MINUTES


class SlaPolicyIn(ma.Schema):
    name = ma.fields.String(required=True, validate=V.Length(min=1, max=100))
    priority = ma.fields.String(allow_none=True, validate=V.OneOf(PRIORITIES))
    type_id = ref(allow_none=True)
    first_response_minutes = ma.fields.Integer(
        required=True, strict=True, validate=V.Range(min=1, max=MAX_MINUTES)
    )
    resolution_minutes = ma.fields.Integer(
        required=True, strict=True, validate=V.Range(min=1, max=MAX_MINUTES)
    )
    calendar = ma.fields.String(
        load_default="24x7",
        validate=V.Length(min=1, max=100),
        metadata={"description": "A business calendar's name (crm calendars list), or 24x7"},
    )
    active = ma.fields.Boolean(load_default=True)


class SlaPolicyOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    priority = ma.fields.String(allow_none=True)
    type_id = ma.fields.Integer(allow_none=True)
    first_response_minutes = ma.fields.Integer()
    resolution_minutes = ma.fields.Integer()
    calendar = ma.fields.String()
    active = ma.fields.Boolean()
