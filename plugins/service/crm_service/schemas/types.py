"""What the ticket-type endpoints read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_service.schemas.common import V


class TicketTypeIn(ma.Schema):
    code = ma.fields.String(required=True, validate=V.Regexp(r"^[a-z][a-z0-9_]{1,63}$"))
    label = ma.fields.String(required=True, validate=V.Length(min=1, max=200))
    label_zh = ma.fields.String(load_default="", validate=V.Length(max=200))
    active = ma.fields.Boolean(load_default=True)


class TicketTypeOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    label = ma.fields.String()
    label_zh = ma.fields.String()
    active = ma.fields.Boolean()
