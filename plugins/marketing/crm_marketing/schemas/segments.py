"""Schemas of segments, their rules, previews and static lists."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import Id
from crm_marketing.models import SEGMENT_KINDS
from crm_marketing.schemas.common import RulesField, text


class SegmentIn(ma.Schema):
    name = text(200, 1, required=True)
    description = text(1000, multiline=True, allow_none=True)
    kind = ma.fields.String(validate=ma.validate.OneOf(SEGMENT_KINDS), load_default="rules")
    rules = RulesField(allow_none=True)


class SegmentPatch(ma.Schema):
    name = text(200, 1)
    description = text(1000, multiline=True, allow_none=True)
    rules = RulesField()


class SegmentOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    description = ma.fields.String()
    kind = ma.fields.String()
    rules = ma.fields.Dict(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class SegmentPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SegmentOut))
    next_cursor = ma.fields.String(allow_none=True)


class RulesIn(ma.Schema):
    rules = RulesField(required=True)


class MemberOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    city = ma.fields.String(allow_none=True)


class PreviewOut(ma.Schema):
    count = ma.fields.Integer()
    sample = ma.fields.List(ma.fields.Nested(MemberOut))


class MembersIn(ma.Schema):
    customer_ids = ma.fields.List(
        Id(), required=True, validate=ma.validate.Length(min=1, max=10_000)
    )


class MembersChangedOut(ma.Schema):
    changed = ma.fields.Integer()


class CriterionOut(ma.Schema):
    name = ma.fields.String()
    label = ma.fields.Function(lambda c: str(c.label))
    kind = ma.fields.String()
    operators = ma.fields.List(ma.fields.String())
    choices = ma.fields.List(ma.fields.String())
    plugin = ma.fields.String()
