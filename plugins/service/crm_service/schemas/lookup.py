"""What the caller lookup reads and answers."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import Masked
from crm_service.schemas.common import V


class LookupQuery(ma.Schema):
    phone = ma.fields.String(required=True, validate=V.Length(min=1, max=40))


class LookupOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    # The customer's number: in full only for users who may reveal it.
    phone = Masked()
    matched_by = ma.fields.String(metadata={"description": "customer or contact"})
    contact_id = ma.fields.Integer(allow_none=True)
    open_tickets = ma.fields.Integer()
