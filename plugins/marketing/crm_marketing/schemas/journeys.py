"""Schemas of journeys, their entries and the events that start them."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import Id, PageArgs
from crm_marketing.schemas.common import text


class JourneyIn(ma.Schema):
    name = text(200, 1, required=True)
    trigger = ma.fields.String(required=True, validate=ma.validate.OneOf(("segment", "event")))
    segment_id = Id(allow_none=True)
    #: Checked by the service against the events of this installation (see ``/journeys/events``).
    event = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    event_value = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=100),
        metadata={"description": "What the event must carry, e.g. the new stage."},
    )
    goal = ma.fields.Dict(
        keys=ma.fields.String(),
        allow_none=True,
        metadata={
            "description": "A rule tree: a customer meeting it leaves the journey as converted.",
            "example": {"all": [{"field": "lifecycle_stage", "op": "eq", "value": "customer"}]},
        },
    )
    #: Checked step by step by the service, which names the bad step's path.
    steps = ma.fields.List(
        ma.fields.Dict(keys=ma.fields.String()),
        required=True,
        metadata={"example": [{"wait": {"days": 3}}, {"tag": {"name": "回访"}}]},
    )
    status = ma.fields.String(validate=ma.validate.OneOf(("draft", "active", "paused")))


class JourneyStatusIn(ma.Schema):
    status = ma.fields.String(
        required=True, validate=ma.validate.OneOf(("draft", "active", "paused"))
    )


class JourneyOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    trigger = ma.fields.String()
    segment_id = ma.fields.Integer(allow_none=True)
    event = ma.fields.String(allow_none=True)
    event_value = ma.fields.String(allow_none=True)
    goal = ma.fields.Dict(allow_none=True)
    steps = ma.fields.List(ma.fields.Dict())
    status = ma.fields.String()
    created_at = ma.fields.DateTime()


class JourneyPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(JourneyOut))
    next_cursor = ma.fields.String(allow_none=True)


class JourneyEntryOut(ma.Schema):
    id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    step = ma.fields.Integer()
    status = ma.fields.String()
    due_at = ma.fields.DateTime()
    entered_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class JourneyEntryPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(JourneyEntryOut))
    next_cursor = ma.fields.String(allow_none=True)


class JourneyEntryQuery(PageArgs):
    status = ma.fields.String(
        validate=ma.validate.OneOf(("waiting", "done", "exited", "converted"))
    )


class JourneyEventOut(ma.Schema):
    event = ma.fields.String()
    label = ma.fields.String()
    plugin = ma.fields.String(allow_none=True)
    #: What ``event_value`` chooses on, and its allowed values; ``null``: no choice.
    option = ma.fields.String(allow_none=True)
    choices = ma.fields.List(ma.fields.String())
