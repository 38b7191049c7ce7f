"""Schemas of ``/activities``."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import Id, PageArgs
from crm_sales.schemas.common import query_id_field, text_field


class ActivityIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(["call", "meeting", "task"]))
    subject = text_field(300, required=True, allow_none=False, allow_blank=False)
    notes = text_field(10_000)
    due_at = ma.fields.AwareDateTime(required=True)
    customer_id = Id(allow_none=True)
    lead_id = Id(allow_none=True)
    opportunity_id = Id(allow_none=True)
    owner_id = Id(allow_none=True)


class ActivityOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Function(lambda a: a.kind.value)
    subject = ma.fields.String()
    notes = ma.fields.String(allow_none=True)
    customer_id = ma.fields.Integer(allow_none=True)
    lead_id = ma.fields.Integer(allow_none=True)
    opportunity_id = ma.fields.Integer(allow_none=True)
    owner_id = ma.fields.Integer(allow_none=True)
    due_at = ma.fields.DateTime()
    reminded_at = ma.fields.DateTime(allow_none=True)
    done_at = ma.fields.DateTime(allow_none=True)


class ActivityPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ActivityOut))
    next_cursor = ma.fields.String(allow_none=True)


class ActivityQuery(PageArgs):
    owner_id = query_id_field()
    customer_id = query_id_field()
    open = ma.fields.Boolean(metadata={"description": "Only activities not done yet"})
